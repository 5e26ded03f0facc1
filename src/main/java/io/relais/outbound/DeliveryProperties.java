package io.relais.outbound;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code relais.delivery.*}: how long Relais waits for a provider, when a message left PENDING is
 * declared UNKNOWN, and how old a signed SendGrid event may be.
 *
 * @param connectTimeout time to open a connection to Twilio or SendGrid (a failure here means
 *     the request certainly did not leave: FAILED, the job may retry)
 * @param responseTimeout time to wait for the provider's answer once the request is written (a
 *     time-out here means the outcome is UNKNOWN: never resent automatically)
 * @param pendingTimeout a message still PENDING this long after its record is declared UNKNOWN
 *     (a crash between the record and the provider's answer); must be well above the time-outs
 * @param webhookTimestampTolerance how far the X-Twilio-Email-Event-Webhook-Timestamp of a signed
 *     SendGrid event may be from our clock (older: a replay, refused)
 */
@ConfigurationProperties("relais.delivery")
public record DeliveryProperties(Duration connectTimeout, Duration responseTimeout, Duration pendingTimeout,
    Duration webhookTimestampTolerance) {

  public DeliveryProperties {
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
    responseTimeout = responseTimeout == null ? Duration.ofSeconds(30) : responseTimeout;
    pendingTimeout = pendingTimeout == null ? Duration.ofMinutes(10) : pendingTimeout;
    webhookTimestampTolerance = webhookTimestampTolerance == null ? Duration.ofMinutes(10) : webhookTimestampTolerance;
    if (pendingTimeout.compareTo(connectTimeout.plus(responseTimeout).multipliedBy(2)) < 0) {
      throw new IllegalStateException("relais.delivery.pending-timeout=" + pendingTimeout
          + " must be at least twice connect-timeout + response-timeout, or a send still waiting for its answer would be declared UNKNOWN");
    }
  }

  public static DeliveryProperties defaults() {
    return new DeliveryProperties(null, null, null, null);
  }
}
