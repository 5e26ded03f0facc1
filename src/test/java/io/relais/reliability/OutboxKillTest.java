package io.relais.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.bench.BenchDatabase;
import io.relais.bench.PostgresTarget;
import io.relais.bench.RelaisNode;
import io.relais.support.PostgresDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Scenario 6 of the fault-injection suite: a campaign launch through the bulk path on the product's
 * abandoned-cart journey, whose cart email is recorded in the starting transaction and handed to
 * SendGrid by the outbox (docs/outbound.md, "At a journey's start"). Node a is killed with kill -9
 * while emails are queued and under way, behind a slow SendGrid; the backend repeats its request on
 * node b. Every contact gets exactly one cart email: the queued ones are taken by b's outbox, the
 * ones a was sending are looked up at SendGrid by b once their lease ran out, and the journeys a
 * had started are not started twice.
 */
class OutboxKillTest {

  static final int JOURNEYS = 200;

  /** Node logs stay after the run (target/reliability-logs), for the post-mortem of a failure. */
  final Path logs = Path.of("target", "reliability-logs", "outbox-kill");

  @Test
  void killingANodeDuringALaunchSendsEachCartEmailOnce() throws Exception {
    try (PostgresDatabase pg = PostgresDatabase.create();
        MockProviders mock = new MockProviders();
        ReliabilityCluster cluster = new ReliabilityCluster(
            BenchDatabase.existing(PostgresTarget.host(), PostgresTarget.port(), pg.user(), pg.password(), pg.name()), mock, logs)) {
      // a short response time-out: a lease of 5 + 5 + 5 s before b asks SendGrid about a's calls
      Map<String, String> props = Map.of("relais.delivery.response-timeout", "PT5S");
      RelaisNode a = cluster.startNode("a", props);
      RelaisNode b = cluster.startNode("b", props);
      for (int i = 0; i < JOURNEYS; i++) {
        HttpResponse<String> contact = cluster.on(b).put("/api/contacts/" + ReliabilityCluster.contact(i), "{\"phone\":\""
            + ReliabilityCluster.phone(i) + "\",\"email\":\"" + ReliabilityCluster.email(i) + "\",\"firstName\":\"Camille\"}");
        assertThat(contact.statusCode()).as("contact %d: %s", i, contact.body()).isLessThan(300);
        HttpResponse<String> r = cluster.on(b).post("/api/contacts/" + ReliabilityCluster.contact(i) + "/consents",
            "{\"channel\":\"EMAIL\",\"purpose\":\"MARKETING\",\"status\":\"GRANTED\",\"legalBasis\":\"CONSENT\",\"method\":\"API\",\"source\":\"reliability\"}");
        assertThat(r.statusCode()).as("consent %d: %s", i, r.body()).isLessThan(300);
      }

      mock.sendGridSlow(1500); // eight dispatcher threads: about 5 emails a second leave, the rest wait queued
      String launch = bulkRequest();
      CompletableFuture<HttpResponse<String>> onA = CompletableFuture.supplyAsync(() -> {
        try {
          return cluster.on(a).post("/api/journeys/starts", launch, Duration.ofMinutes(2));
        } catch (RuntimeException e) {
          return null; // the node died under the request: the backend repeats it elsewhere
        }
      });
      try {
        ReliabilityCluster.await("cart emails under way", Duration.ofMinutes(2), () -> mock.emailsByRecipient().size(), 8);
      } catch (AssertionError e) {
        HttpResponse<String> answered = onA.getNow(null);
        throw new AssertionError(e.getMessage() + "; the request on a: " + (answered == null ? "no answer"
            : answered.statusCode() + " " + answered.body().substring(0, Math.min(500, answered.body().length())))
            + "; jobs and messages:" + cluster.state(), e);
      }
      a.kill();
      int emailsAtKill = mock.emailsByRecipient().size();
      onA.get();
      mock.heal();

      HttpResponse<String> onB = cluster.on(b).post("/api/journeys/starts", launch, Duration.ofMinutes(2));
      assertThat(onB.statusCode()).as("the repeated request: %s", onB.body()).isEqualTo(200);
      assertThat(onB.body()).contains("\"failed\":0");
      try {
        ReliabilityCluster.await("a cart email for every contact", Duration.ofMinutes(3), () -> mock.emailsByRecipient().size(), JOURNEYS);
        ReliabilityCluster.await("an empty outbox", Duration.ofMinutes(2),
            () -> cluster.db.queryLong("select count(*) from message_outbox") == 0 ? 1 : 0, 1);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + "; jobs and messages:" + cluster.state(), e);
      }
      ReliabilityCluster.sleep(3000); // a duplicate would show up by now

      Map<String, Integer> emails = mock.emailsByRecipient();
      assertThat(IntStream.range(0, JOURNEYS).filter(i -> emails.getOrDefault(ReliabilityCluster.email(i), 0) != 1).boxed().toList())
          .as("contacts without exactly one cart email").isEmpty();
      assertThat(cluster.db.queryLong("select count(*) from act_ru_execution where parent_id_ is null and proc_def_id_ like 'abandoned-cart:%'"))
          .as("one journey per contact").isEqualTo(JOURNEYS);
      assertThat(cluster.db.queryLong("select count(*) from message where channel = 'EMAIL' and status not in ('SENT', 'DELIVERED')"))
          .as("emails not settled as sent").isZero();
      assertThat(cluster.incidents()).isZero();
      System.out.printf("outbox kill -9: %d journeys launched, node a killed after %d emails; %d emails accepted by the mock%n",
          JOURNEYS, emailsAtKill, emails.values().stream().mapToInt(Integer::intValue).sum());
    }
  }

  private static String bulkRequest() {
    List<String> items = IntStream.range(0, JOURNEYS).mapToObj(i -> "{\"contactId\":\"" + ReliabilityCluster.contact(i)
        + "\",\"variables\":{\"cartUrl\":\"https://maboutique.fr/panier/" + i + "\"}}").toList();
    return "{\"message\":\"CartAbandoned\",\"requestKey\":\"launch-outbox-kill\",\"items\":[" + String.join(",", items) + "]}";
  }
}
