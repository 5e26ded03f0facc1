package io.relais.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.bench.BenchDatabase;
import io.relais.bench.PostgresTarget;
import io.relais.bench.RelaisClient;
import io.relais.bench.RelaisNode;
import io.relais.outbound.DeliveryStatus;
import io.relais.support.PostgresDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 11's fault-injection suite, reduced for the test run: separate Relais JVMs on one
 * PostgreSQL and a counting mock Twilio/SendGrid; each scenario proves by counting that nothing
 * accepted is lost and nothing is sent twice. {@code -Drelais.reliability.journeys=10000} (see
 * bench/reliability.sh) runs the same scenarios at full size.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultInjectionTest {

  static final int JOURNEYS = Integer.getInteger("relais.reliability.journeys", 200);

  /** Node logs stay after the run (target/reliability-logs), for the post-mortem of a failure. */
  final Path logs = Path.of("target", "reliability-logs", "fault-injection");

  private PostgresDatabase pg;
  private MockProviders mock;
  private ReliabilityCluster cluster;
  private RelaisNode a;
  private RelaisNode b;

  @BeforeAll
  void twoNodes() {
    Path clusterLogs = logs.resolve("cluster");
    pg = PostgresDatabase.create();
    mock = new MockProviders();
    cluster = new ReliabilityCluster(BenchDatabase.existing(PostgresTarget.host(), PostgresTarget.port(), pg.user(), pg.password(), pg.name()),
        mock, clusterLogs);
    a = cluster.startNode("a");
    b = cluster.startNode("b");
    cluster.createContacts(b, JOURNEYS);
  }

  @AfterAll
  void stopNodes() {
    cluster.close();
    mock.close();
    pg.close();
  }

  /**
   * Scenario 1: journeys with timers run on two nodes; one is killed with kill -9 and restarted.
   * A send the killed node had recorded but not finished is in doubt: the retry asks the mock
   * provider (as it would ask Twilio or SendGrid) before sending it again.
   */
  @Test
  @Order(1)
  void killingANodeMidRunLosesNoMessageAndSendsNoneTwice() {
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
      assertThat(emails.getOrDefault(ReliabilityCluster.email(i), 0)).as("email to contact %d: %s", i, emailTrail(i)).isEqualTo(1);
    }
    assertThat(cluster.incidents()).isZero();
    System.out.printf("kill -9: %d journeys, node a killed after %d emails; %d SMS and %d emails received by the mock, %d Twilio requests%n",
        JOURNEYS, emailsAtKill, sms.values().stream().mapToInt(Integer::intValue).sum(),
        emails.values().stream().mapToInt(Integer::intValue).sum(), mock.twilioRequests());
  }

  /** What the mock received for contact i's email and what the database recorded: the clues of a duplicate. */
  private String emailTrail(int i) {
    StringBuilder trail = new StringBuilder("mock: ").append(mock.emailRequests(ReliabilityCluster.email(i))).append("; rows:");
    try (Connection c = cluster.db.connect();
        PreparedStatement ps = c.prepareStatement("select id, idempotency_key, status, reason, error_code, created_at, updated_at "
            + "from message where contact_id = ? and channel = 'EMAIL' order by created_at")) {
      ps.setString(1, ReliabilityCluster.contact(i));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          trail.append(" [");
          for (int col = 1; col <= 7; col++) {
            trail.append(col == 1 ? "" : " ").append(rs.getString(col));
          }
          trail.append(']');
        }
      }
      try (PreparedStatement jobs = c.prepareStatement("select count(*) from act_hi_procinst where proc_def_key_ = 'relais-send' "
          + "and business_key_ = ?")) {
        jobs.setString(1, ReliabilityCluster.contact(i));
        try (ResultSet rs = jobs.executeQuery()) {
          rs.next();
          trail.append("; relais-send instances: ").append(rs.getLong(1));
        }
      }
    } catch (SQLException e) {
      trail.append(" (").append(e.getMessage()).append(')');
    }
    return trail.toString();
  }

  /**
   * Scenario 3: the same inbound webhook delivered three times at once to both nodes gives one
   * stored message and one conversation; status callbacks out of order leave the final status.
   */
  @Test // uses the SMS that scenario 1 sent
  @Order(2)
  void duplicateWebhooksAreHandledOnceAndLateStatusesDoNotGoBack() throws Exception {
    int contacts = Math.min(JOURNEYS, 10);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < contacts; i++) {
      Map<String, String> params = Map.of("MessageSid", "SMdup" + i + "x" + pg.name().substring(12), "AccountSid", MockProviders.ACCOUNT_SID,
          "From", ReliabilityCluster.phone(i), "To", "36180", "Body", "Bonjour, une question", "NumMedia", "0");
      for (RelaisNode node : List.of(a, b, a)) {
        answers.add(pool.submit(() -> TwilioWebhooks.post(node, TwilioWebhooks.MESSAGES, params)));
      }
    }
    for (Future<Integer> f : answers) {
      assertThat(f.get()).as("webhook answer").isEqualTo(200);
    }
    pool.shutdown();
    for (int i = 0; i < contacts; i++) {
      String sid = "SMdup" + i + "x" + pg.name().substring(12);
      assertThat(cluster.db.queryLong("select count(*) from message where provider_id = ?", sid)).as("messages stored for %s", sid).isEqualTo(1);
      String contact = ReliabilityCluster.contact(i);
      ReliabilityCluster.await("conversation of " + contact, Duration.ofMinutes(2),
          () -> cluster.db.queryLong("select count(*) from act_hi_procinst where proc_def_key_ = 'inbound-conversation' and business_key_ = ?", contact), 1);
    }
    ReliabilityCluster.sleep(3000); // a duplicate correlation would show up by now
    for (int i = 0; i < contacts; i++) {
      assertThat(cluster.db.queryLong("select count(*) from act_hi_procinst where proc_def_key_ = 'inbound-conversation' and business_key_ = ?",
          ReliabilityCluster.contact(i))).as("conversations of contact %d", i).isEqualTo(1);
    }

    // Status callbacks of each contact's SMS arrive out of order and repeated: delivered, sent, delivered.
    for (int i = 0; i < contacts; i++) {
      String sid = cluster.db.queryString(
          "select provider_id from message where contact_id = ? and channel = 'SMS' and direction = 'OUT' and provider_id is not null",
          ReliabilityCluster.contact(i));
      for (String[] step : new String[][] {{"delivered", "a"}, {"sent", "b"}, {"delivered", "b"}}) {
        Map<String, String> status = Map.of("MessageSid", sid, "MessageStatus", step[0], "AccountSid", MockProviders.ACCOUNT_SID);
        assertThat(TwilioWebhooks.post(step[1].equals("a") ? a : b, TwilioWebhooks.STATUS, status)).isEqualTo(200);
      }
      assertThat(cluster.db.queryString("select status from message where provider_id = ?", sid))
          .as("final status of %s", sid).isEqualTo(DeliveryStatus.fromTwilio("delivered"));
    }
  }

  /**
   * Scenario 4: PostgreSQL (a throwaway cluster of our own, never the shared server) stops and
   * starts again while journeys are being started: Relais recovers by itself, and every start it
   * accepted is there and sends its SMS once.
   */
  @Test
  @Order(3)
  void postgresRestartLosesNothingAccepted() {
    int journeys = Math.min(JOURNEYS, 400);
    try (ThrowawayPostgres server = ThrowawayPostgres.start();
        MockProviders ownMock = new MockProviders()) {
      server.createDatabase("relais");
      BenchDatabase db = BenchDatabase.existing(server.host(), server.port(), "postgres", "", "relais");
      try (ReliabilityCluster solo = new ReliabilityCluster(db, ownMock, logs)) {
        RelaisNode node = solo.startNode("solo");
        solo.createContacts(node, journeys);

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
          while (!solo.startJourney(node, i, "PT1H")) {
            ReliabilityCluster.sleep(200);
          }
          accepted.add(i);
          ReliabilityCluster.sleep(journeys > 400 ? 0 : 15);
        }
        join(restarter);
        assertThat(outageSeen).isTrue();

        ReliabilityCluster.await("SMS sent after the restart", Duration.ofMinutes(3),
            () -> ownMock.smsByRecipient().size(), accepted.size());
        ReliabilityCluster.sleep(2000); // let any duplicate show up
        Map<String, Integer> sms = ownMock.smsByRecipient();
        assertThat(IntStream.range(0, journeys).filter(i -> sms.getOrDefault(ReliabilityCluster.phone(i), 0) != 1).boxed().toList())
            .as("contacts without exactly one SMS").isEmpty();
        assertThat(solo.runningJourneys()).isEqualTo(journeys);
        assertThat(solo.incidents()).isZero();
      }
    }
  }

  /**
   * Scenario 2: Twilio times out (504) or answers 500 for a while. Sends are retried with backoff and each goes out
   * once when Twilio is back; when an outage outlasts the retries the sends become incidents, and
   * retrying them (Cockpit's "retry", here through the REST API Cockpit uses) sends each once.
   */
  @Test
  @Order(4)
  void aProviderOutageIsRetriedThenIncidentsAreRetriedOnce() {
    int journeys = Math.min(JOURNEYS, 20);
    try (PostgresDatabase own = PostgresDatabase.create();
        MockProviders ownMock = new MockProviders();
        ReliabilityCluster solo = new ReliabilityCluster(
            BenchDatabase.existing(PostgresTarget.host(), PostgresTarget.port(), own.user(), own.password(), own.name()), ownMock, logs)) {
      // three retries, 3 s apart (production: PT30S,PT1M,PT2M,PT5M,PT10M)
      RelaisNode node = solo.startNode("outage", Map.of("relais.send.retry-cycle", "PT3S,PT3S,PT3S"));
      solo.createContacts(node, 2 * journeys);

      // 1. a short outage where Twilio times out (a 504 Gateway Timeout after 2 s): the retries get
      // through once Twilio is back. (No answer at all is another matter: the message may have been
      // created, so it is UNKNOWN and never resent, see docs/reliability.md.)
      ownMock.twilioHangs(2000);
      for (int i = 0; i < journeys; i++) {
        assertThat(solo.startJourney(node, i, "PT1H")).isTrue();
      }
      ReliabilityCluster.await("failed Twilio calls during the outage", Duration.ofMinutes(2), ownMock::twilioRequests, journeys);
      assertThat(ownMock.smsByRecipient()).isEmpty();
      ownMock.heal();
      ReliabilityCluster.await("SMS after the outage", Duration.ofMinutes(2), () -> ownMock.smsByRecipient().size(), journeys);
      assertThat(solo.incidents()).isZero();

      // 2. an outage longer than the retries: incidents, then a retry of each sends it once
      ownMock.twilioFails();
      for (int i = journeys; i < 2 * journeys; i++) {
        assertThat(solo.startJourney(node, i, "PT1H")).isTrue();
      }
      try {
        ReliabilityCluster.await("incidents once the retries ran out", Duration.ofMinutes(4), () -> solo.failedJobIds().size(), journeys);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; jobs and messages:" + solo.state(), e);
      }
      assertThat(IntStream.range(journeys, 2 * journeys).map(i -> ownMock.smsByRecipient().getOrDefault(ReliabilityCluster.phone(i), 0)).sum())
          .as("SMS accepted while Twilio failed").isZero();
      ownMock.heal();
      RelaisClient admin = new RelaisClient(node.baseUrl(), "admin", RelaisNode.ADMIN_PASSWORD);
      for (String jobId : solo.failedJobIds()) {
        admin.setJobRetries(jobId, 1);
      }
      ReliabilityCluster.await("SMS after the incidents were retried", Duration.ofMinutes(2),
          () -> ownMock.smsByRecipient().size(), 2L * journeys);
      ReliabilityCluster.sleep(3000); // a duplicate would show up by now
      Map<String, Integer> sms = ownMock.smsByRecipient();
      assertThat(IntStream.range(0, 2 * journeys).filter(i -> sms.getOrDefault(ReliabilityCluster.phone(i), 0) != 1).boxed().toList())
          .as("contacts without exactly one SMS").isEmpty();
      assertThat(solo.incidents()).isZero();
      System.out.printf("provider outage: %d journeys retried through a short outage, %d incidents retried from the API; "
          + "%d SMS accepted for %d contacts, %d Twilio requests%n", journeys, journeys, sms.values().stream().mapToInt(Integer::intValue).sum(),
          2 * journeys, ownMock.twilioRequests());
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
