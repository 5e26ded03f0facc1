package io.relais.analytics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** How long after a click, or failing a click after a delivery, an order is credited to a message. */
@ConfigurationProperties("relais.attribution")
public record AttributionProperties(Duration clickWindow, Duration deliveryWindow) {

  public AttributionProperties {
    clickWindow = clickWindow != null ? clickWindow : Duration.ofDays(5);
    deliveryWindow = deliveryWindow != null ? deliveryWindow : Duration.ofHours(24);
  }
}
