package io.relais.contact;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of consent collection ({@code relais.consent.*}): how long a double opt-in waits for
 * the answer, and the brand and STOP mention its confirmation request names.
 */
@ConfigurationProperties(prefix = "relais.consent")
public record ConsentProperties(Duration doubleOptInWindow, String brandName, String stopMention) {

  public ConsentProperties {
    doubleOptInWindow = doubleOptInWindow == null ? Duration.ofHours(48) : doubleOptInWindow;
    brandName = brandName == null || brandName.isBlank() ? "Relais" : brandName;
    stopMention = stopMention == null ? "STOP au 36xxx" : stopMention;
  }
}
