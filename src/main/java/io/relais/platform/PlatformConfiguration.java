package io.relais.platform;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Cross-cutting beans every feature uses. */
@Configuration(proxyBeanMethods = false)
public class PlatformConfiguration {

  /** Time for all of Relais; see {@link EngineClock}. */
  @Bean
  public Clock clock() {
    return new EngineClock();
  }
}
