package io.relais.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the simulator page ({@code relais.simulator.*}).
 *
 * @param pollInterval how often the live stream re-reads the message table (the source of truth
 *     across nodes; in-process events only wake it up sooner)
 * @param acceleratedWait the duration given to a journey's wait variables when the user ticks
 *     "accélérer les délais"
 * @param acceleratedWaits per business event (BPMN message name), the start variables that hold
 *     the waits to shorten; reply timeouts are deliberately not listed, so the user has time to answer
 * @param sendgridSigningKey base64 PKCS#8 EC private key matching {@code
 *     relais.sendgrid.webhook-public-key}, to sign simulated SendGrid events when a key is configured
 */
@ConfigurationProperties("relais.simulator")
public record SimulatorProperties(
    Duration pollInterval,
    Duration acceleratedWait,
    Map<String, List<String>> acceleratedWaits,
    String sendgridSigningKey) {

  public SimulatorProperties {
    pollInterval = pollInterval == null ? Duration.ofSeconds(1) : pollInterval;
    acceleratedWait = acceleratedWait == null ? Duration.ofSeconds(2) : acceleratedWait;
    acceleratedWaits =
        acceleratedWaits == null ? Map.of("CartAbandoned", List.of("cartEmailWait", "followUpDelay")) : acceleratedWaits;
  }
}
