package io.relais.journey;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/** Journey tests whose journey calls the order system: a WireMock order system per test, wired in through the environment. */
abstract class OrderSystemJourneyTestSupport extends JourneyTestSupport {

  private static final String SOURCE = "journey-test-order-system";
  @Autowired ConfigurableEnvironment environment;
  WireMockServer orderSystem;

  @BeforeEach
  void startOrderSystem() {
    orderSystem = new WireMockServer(WireMockConfiguration.options().dynamicPort());
    orderSystem.start();
    environment.getPropertySources().addFirst(new MapPropertySource(SOURCE, Map.of(OrderSystemClient.URL_PROPERTY, orderSystem.baseUrl())));
  }

  @AfterEach
  void stopOrderSystem() {
    environment.getPropertySources().remove(SOURCE);
    orderSystem.stop();
  }
}
