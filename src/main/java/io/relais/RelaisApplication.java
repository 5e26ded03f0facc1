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

  static {
    namedDatatypeFactory();
  }

  /**
   * Names the JDK's own {@link javax.xml.datatype.DatatypeFactory}, the one the look-up ends on
   * anyway (no library of Relais provides another). The engine asks for a new factory for every
   * timer it schedules (its DurationHelper), and without the name each request scans the class
   * path's service files: 7.6 % of a campaign launch's request threads in a profile (docs/performance.md).
   * An operator's own {@code -Djavax.xml.datatype.DatatypeFactory} wins.
   */
  static void namedDatatypeFactory() {
    if (System.getProperty(javax.xml.datatype.DatatypeFactory.DATATYPEFACTORY_PROPERTY) == null) {
      System.setProperty(javax.xml.datatype.DatatypeFactory.DATATYPEFACTORY_PROPERTY,
          javax.xml.datatype.DatatypeFactory.DATATYPEFACTORY_IMPLEMENTATION_CLASS);
    }
  }

  public static void main(String[] args) {
    SpringApplication.run(RelaisApplication.class, args);
  }
}
