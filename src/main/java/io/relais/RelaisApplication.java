package io.relais;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** Relais: journeys as BPMN on Camunda 7, messages through Twilio, SendGrid or the simulator. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class RelaisApplication {

  public static void main(String[] args) {
    SpringApplication.run(RelaisApplication.class, args);
  }
}
