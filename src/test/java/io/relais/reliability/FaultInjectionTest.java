package io.relais.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.bench.BenchDatabase;
import io.relais.bench.PostgresTarget;
import io.relais.bench.RelaisNode;
import io.relais.support.PostgresDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's fault-injection suite, reduced for the test run: separate Relais JVMs on one
 * PostgreSQL and a counting mock Twilio/SendGrid; each scenario proves by counting that nothing
 * accepted is lost and nothing is sent twice. {@code -Drelais.reliability.journeys=10000} (see
 * bench/reliability.sh) runs the same scenarios at full size.
 */
class FaultInjectionTest {

  static final int JOURNEYS = Integer.getInteger("relais.reliability.journeys", 200);

  @TempDir Path logs;

  /** Scenario 1: journeys with timers run on two nodes; one is killed with kill -9 and restarted. */
  @Test
  void killingANodeMidRunLosesNoMessageAndSendsNoneTwice() {
    try (PostgresDatabase pg = PostgresDatabase.create();
        MockProviders mock = new MockProviders();
        ReliabilityCluster cluster = new ReliabilityCluster(
            BenchDatabase.existing(PostgresTarget.host(), PostgresTarget.port(), pg.user(), pg.password(), pg.name()), mock, logs)) {
      RelaisNode a = cluster.startNode("a");
      RelaisNode b = cluster.startNode("b");
      cluster.createContacts(b, JOURNEYS);

      // Half the journeys through each node, as behind a load balancer; the email step waits 30 s,
      // so that the emails of all journeys fall due together, and node a dies in that burst.
      List<Integer> refused = IntStream.range(0, JOURNEYS).parallel()
          .filter(i -> !cluster.startJourney(i % 2 == 0 ? a : b, i, "PT30S")).boxed().toList();
      assertThat(refused).as("journeys refused").isEmpty();
      ReliabilityCluster.await("emails under way", Duration.ofMinutes(3), () -> mock.emailsByRecipient().size(), JOURNEYS / 4);
      a.kill();
      int emailsAtKill = mock.emailsByRecipient().size();
      ReliabilityCluster.sleep(3000);
      a.start(Duration.ofMinutes(4));

      ReliabilityCluster.await("journeys finished", Duration.ofMinutes(5), cluster::finishedJourneys, JOURNEYS);
      Map<String, Integer> sms = mock.smsByRecipient();
      Map<String, Integer> emails = mock.emailsByRecipient();
      for (int i = 0; i < JOURNEYS; i++) {
        assertThat(sms.getOrDefault(ReliabilityCluster.phone(i), 0)).as("SMS to contact %d", i).isEqualTo(1);
        assertThat(emails.getOrDefault(ReliabilityCluster.email(i), 0)).as("email to contact %d", i).isEqualTo(1);
      }
      assertThat(cluster.incidents()).isZero();
      System.out.printf("kill -9: %d journeys, node a killed after %d emails; %d SMS and %d emails received by the mock, %d Twilio requests%n",
          JOURNEYS, emailsAtKill, sms.values().stream().mapToInt(Integer::intValue).sum(),
          emails.values().stream().mapToInt(Integer::intValue).sum(), mock.twilioRequests());
    }
  }

  /**
   * Scenario 4: PostgreSQL (a throwaway cluster of our own, never the shared server) stops and
   * starts again while journeys are being started: Relais recovers by itself, and every start it
   * accepted is there and sends its SMS once.
   */
  @Test
  void postgresRestartLosesNothingAccepted() {
    int journeys = Math.min(JOURNEYS, 400);
    try (ThrowawayPostgres server = ThrowawayPostgres.start();
        MockProviders mock = new MockProviders()) {
      server.createDatabase("relais");
      BenchDatabase db = BenchDatabase.existing(server.host(), server.port(), "postgres", "", "relais");
      try (ReliabilityCluster cluster = new ReliabilityCluster(db, mock, logs)) {
        RelaisNode node = cluster.startNode("solo");
        cluster.createContacts(node, journeys);

        List<Integer> accepted = new ArrayList<>();
        AtomicBoolean outageSeen = new AtomicBoolean();
        Thread restarter = new Thread(() -> {
          ReliabilityCluster.sleep(1500);
          server.stopServer();
          outageSeen.set(true);
          ReliabilityCluster.sleep(5000);
          server.startServer();
        });
        restarter.start();
        for (int i = 0; i < journeys; i++) {
          // a backend retries what Relais refused: keep trying contact i until accepted
          while (!cluster.startJourney(node, i, "PT1H")) {
            ReliabilityCluster.sleep(200);
          }
          accepted.add(i);
          ReliabilityCluster.sleep(journeys > 400 ? 0 : 15);
        }
        join(restarter);
        assertThat(outageSeen).isTrue();

        ReliabilityCluster.await("SMS sent after the restart", Duration.ofMinutes(3),
            () -> mock.smsByRecipient().size(), accepted.size());
        ReliabilityCluster.sleep(2000); // let any duplicate show up
        Map<String, Integer> sms = mock.smsByRecipient();
        assertThat(IntStream.range(0, journeys).filter(i -> sms.getOrDefault(ReliabilityCluster.phone(i), 0) != 1).boxed().toList())
            .as("contacts without exactly one SMS").isEmpty();
        assertThat(cluster.runningJourneys()).isEqualTo(journeys);
        assertThat(cluster.incidents()).isZero();
      }
    }
  }

  private static void join(Thread t) {
    try {
      t.join(120_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
