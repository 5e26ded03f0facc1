package io.relais.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.bench.BenchDatabase;
import io.relais.bench.PostgresTarget;
import io.relais.bench.RelaisNode;
import io.relais.support.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Scenario 5 of the fault-injection suite: a customer's STOP arrives while marketing SMS to them
 * are queued behind a slow Twilio; none of them reaches Twilio after Relais acknowledged the STOP.
 */
class StopWhileQueuedTest {

  static final int CONTACTS = 5;
  static final int SENDS_PER_CONTACT = 4;

  /** Node logs stay after the run (target/reliability-logs), for the post-mortem of a failure. */
  final Path logs = Path.of("target", "reliability-logs", "stop-while-queued");

  @Test
  void noMarketingSmsLeavesAfterTheStopIsStored() {
    try (PostgresDatabase pg = PostgresDatabase.create();
        MockProviders mock = new MockProviders();
        ReliabilityCluster cluster = new ReliabilityCluster(
            BenchDatabase.existing(PostgresTarget.host(), PostgresTarget.port(), pg.user(), pg.password(), pg.name()), mock, logs)) {
      RelaisNode node = cluster.startNode("stop");
      cluster.createContacts(node, CONTACTS);
      for (int i = 0; i < CONTACTS; i++) {
        var r = cluster.on(node).post("/api/contacts/" + ReliabilityCluster.contact(i) + "/consents",
            "{\"channel\":\"SMS\",\"purpose\":\"MARKETING\",\"status\":\"GRANTED\",\"legalBasis\":\"CONSENT\",\"method\":\"API\",\"source\":\"reliability\"}");
        assertThat(r.statusCode()).as("consent %d: %s", i, r.body()).isLessThan(300);
      }

      mock.twilioSlow(1500);
      for (int i = 0; i < CONTACTS; i++) {
        for (int k = 0; k < SENDS_PER_CONTACT; k++) {
          assertThat(cluster.startJourney(node, i, Map.of("stepWait", "PT1H", "smsCategory", "MARKETING"))).isTrue();
        }
      }
      Instant[] stopStored = new Instant[CONTACTS];
      for (int i = 0; i < CONTACTS; i++) {
        int status = TwilioWebhooks.post(node, TwilioWebhooks.MESSAGES, Map.of("MessageSid", "SMstop" + i, "AccountSid", MockProviders.ACCOUNT_SID,
            "From", ReliabilityCluster.phone(i), "To", "36180", "Body", "STOP", "NumMedia", "0"));
        assertThat(status).isEqualTo(200);
        stopStored[i] = Instant.now();
      }
      mock.heal();

      ReliabilityCluster.await("SMS steps done", Duration.ofMinutes(3),
          () -> cluster.db.queryLong("select count(*) from act_hi_actinst where act_id_ = 'CallActivity_SendSms' and end_time_ is not null"),
          (long) CONTACTS * SENDS_PER_CONTACT);
      // the opt-out confirmation is the one SMS that must go after the STOP: not a marketing one
      java.util.function.Predicate<String> confirmation = body -> body.startsWith("Vous êtes désinscrit");
      ReliabilityCluster.await("opt-out confirmations", Duration.ofMinutes(2), () -> mock.smsTimesByRecipient(confirmation).size(), CONTACTS);
      Map<String, List<Instant>> received = mock.smsTimesByRecipient(confirmation.negate());
      Map<String, List<Instant>> confirmations = mock.smsTimesByRecipient(confirmation);
      int before = 0;
      for (int i = 0; i < CONTACTS; i++) {
        Instant stop = stopStored[i];
        List<Instant> times = received.getOrDefault(ReliabilityCluster.phone(i), List.of());
        assertThat(times).as("marketing SMS reaching Twilio after contact %d's STOP was stored", i).allMatch(t -> !t.isAfter(stop));
        assertThat(confirmations.getOrDefault(ReliabilityCluster.phone(i), List.of())).as("opt-out confirmations to contact %d", i).hasSize(1);
        before += times.size();
      }
      System.out.printf("STOP while queued: %d marketing SMS queued, %d reached Twilio before the STOPs, none after%n",
          CONTACTS * SENDS_PER_CONTACT, before);
    }
  }
}
