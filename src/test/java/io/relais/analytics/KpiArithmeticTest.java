package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.analytics.KpiFilter.GroupBy;
import io.relais.contact.Channel;
import io.relais.support.RelaisSpringTest;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;

/** The KPIs of a known set of events, against values computed by hand. */
@RelaisSpringTest
class KpiArithmeticTest {

  @Autowired EngagementEvents events;
  @Autowired KpiRepository kpis;
  @Autowired ObjectMapper json;
  @LocalServerPort int port;

  static final Instant T = Instant.parse("2025-03-04T09:00:00Z");
  String journey;

  /**
   * Step Task_Sms (SMS, variant A, segment vip): 10 sent at 0.05 €, 8 delivered, 2 failed; clicks on
   * m1 (twice), m2, m3; replies to m1 (60 s), m4 (120 s), m5 (300 s); an opt-out on m6; orders on m1
   * (50 €, after a reply) and m2 (30 €); a handoff; agent first responses 30 s and 90 s.
   * Step Task_Nps: only NPS scores 10, 9, 7, 3 (no delivery: every per-recipient rate is null).
   * Two more contacts of Task_Sms fell in the A/B holdout (variant HOLDOUT, no message).
   */
  @BeforeEach
  void seed() {
    journey = "kpi-" + UUID.randomUUID();
    String contact = "c-" + UUID.randomUUID();
    for (int i = 1; i <= 10; i++) {
      events.record(sms(EngagementType.SENT, contact, "m" + i).cost(new BigDecimal("0.05")));
      events.record(sms(i <= 8 ? EngagementType.DELIVERED : EngagementType.FAILED, contact, "m" + i));
    }
    events.record(sms(EngagementType.CLICKED, contact, "m1"));
    events.record(sms(EngagementType.CLICKED, contact, "m1"));
    events.record(sms(EngagementType.CLICKED, contact, "m2"));
    events.record(sms(EngagementType.CLICKED, contact, "m3"));
    events.record(sms(EngagementType.REPLIED, contact, "m1").delayMs(60_000L));
    events.record(sms(EngagementType.REPLIED, contact, "m4").delayMs(120_000L));
    events.record(sms(EngagementType.REPLIED, contact, "m5").delayMs(300_000L));
    events.record(sms(EngagementType.OPTED_OUT, contact, "m6"));
    events.record(sms(EngagementType.ORDERED, contact, "m1").order("o1-" + journey, new BigDecimal("50.00")).afterReply(true));
    events.record(sms(EngagementType.ORDERED, contact, "m2").order("o2-" + journey, new BigDecimal("30.00")).afterReply(false));
    events.record(sms(EngagementType.HANDED_OFF, contact, "m4"));
    events.record(sms(EngagementType.AGENT_RESPONDED, contact, "m4").delayMs(30_000L));
    events.record(sms(EngagementType.AGENT_RESPONDED, contact, "m5").delayMs(90_000L));
    for (String held : List.of("h1-", "h2-")) {
      events.record(EngagementEvent.of(EngagementType.HELD_OUT, held + contact).journey(journey, 1, "Task_Sms")
          .variant(Experiments.HOLDOUT).segments(List.of("vip")).at(T));
    }
    for (int score : new int[] {10, 9, 7, 3}) {
      events.record(EngagementEvent.of(EngagementType.NPS_SCORE, contact).journey(journey, 1, "Task_Nps").channel(Channel.SMS)
          .segments(List.of("vip")).score(score).at(T));
    }
  }

  EngagementEvent.Builder sms(EngagementType type, String contact, String message) {
    return EngagementEvent.of(type, contact).journey(journey, 1, "Task_Sms").channel(Channel.SMS).variant("A")
        .segments(List.of("vip")).message(journey + message).at(T);
  }

  @Test
  void aStepWithDeliveriesHasEveryRate() {
    KpiRow row = kpis.total(KpiFilter.all().forJourney(journey).forStep("Task_Sms"));
    assertThat(row.sent()).isEqualTo(10);
    assertThat(row.delivered()).isEqualTo(8);
    assertThat(row.failed()).isEqualTo(2);
    assertThat(row.clickers()).isEqualTo(3); // four clicks, three messages clicked
    assertThat(row.clickRate()).isEqualTo(3 / 8.0);
    assertThat(row.orderRate()).isEqualTo(2 / 8.0);
    assertThat(row.unsubscribeRate()).isEqualTo(1 / 8.0);
    assertThat(row.revenuePerRecipient()).isEqualTo(10.0); // 80 € / 8
    assertThat(row.replyRate()).isEqualTo(3 / 8.0);
    assertThat(row.responseTimeMedianSeconds()).isEqualTo(120.0);
    assertThat(row.responseTimeP90Seconds()).isCloseTo(264.0, within(1e-6)); // 120 + 0.8 × (300 − 120)
    assertThat(row.agentFirstResponseMedianSeconds()).isEqualTo(60.0);
    assertThat(row.agentFirstResponseP90Seconds()).isCloseTo(84.0, within(1e-6)); // 30 + 0.9 × 60
    assertThat(row.postReplyConversion()).isCloseTo(1 / 3.0, within(1e-12));
    assertThat(row.cost()).isEqualByComparingTo("0.50");
    assertThat(row.revenue()).isEqualByComparingTo("80.00");
    assertThat(row.returnOnCost()).isEqualTo(160.0);
    assertThat(row.handoffs()).isEqualTo(1);
    assertThat(row.nps()).isNull();
  }

  @Test
  void aStepWithoutDeliveriesHasNullRatesAndItsNps() {
    KpiRow row = kpis.total(KpiFilter.all().forJourney(journey).forStep("Task_Nps"));
    assertThat(row.delivered()).isZero();
    assertThat(row.clickRate()).isNull();
    assertThat(row.orderRate()).isNull();
    assertThat(row.unsubscribeRate()).isNull();
    assertThat(row.revenuePerRecipient()).isNull();
    assertThat(row.replyRate()).isNull();
    assertThat(row.postReplyConversion()).isNull();
    assertThat(row.responseTimeMedianSeconds()).isNull();
    assertThat(row.returnOnCost()).isNull();
    assertThat(row.nps()).isEqualTo(25.0); // (2 promoters − 1 detractor) / 4 answers
  }

  @Test
  void groupsBySegmentVariantChannelAndDayAddUpToTheJourney() {
    KpiFilter journeyOnly = KpiFilter.all().forJourney(journey);
    for (GroupBy g : List.of(GroupBy.SEGMENT, GroupBy.VARIANT, GroupBy.CHANNEL, GroupBy.DAY, GroupBy.WEEK, GroupBy.MONTH)) {
      List<KpiRow> rows = kpis.query(journeyOnly.groupedBy(g));
      assertThat(rows.stream().mapToLong(KpiRow::delivered).sum()).as(g.name()).isEqualTo(8);
    }
    assertThat(kpis.query(journeyOnly.groupedBy(GroupBy.SEGMENT))).singleElement().satisfies(r -> assertThat(r.segment()).isEqualTo("vip"));
    assertThat(kpis.query(journeyOnly.groupedBy(GroupBy.WEEK)).get(0).period()).isEqualTo("2025-03-03"); // ISO week starts on Monday
    assertThat(kpis.total(journeyOnly.forSegment("nobody")).delivered()).isZero();
    assertThat(kpis.total(journeyOnly.forVariant("B")).clickRate()).isNull();
    assertThat(kpis.total(journeyOnly.between(T.plusSeconds(1), null)).delivered()).isZero();
  }

  @Test
  void theHoldoutIsItsOwnVariantGroupWithoutDeliveries() {
    List<KpiRow> rows = kpis.query(KpiFilter.all().forJourney(journey).forStep("Task_Sms").groupedBy(GroupBy.VARIANT));
    assertThat(rows).extracting(KpiRow::variant).containsExactly("A", Experiments.HOLDOUT);
    assertThat(rows.get(0).heldOut()).isZero();
    assertThat(rows.get(0).delivered()).isEqualTo(8);
    KpiRow holdout = rows.get(1);
    assertThat(holdout.heldOut()).isEqualTo(2);
    assertThat(holdout.delivered()).isZero();
    assertThat(holdout.clickRate()).isNull();
    assertThat(kpis.total(KpiFilter.all().forJourney(journey)).heldOut()).isEqualTo(2);
  }

  /** Whole days come from the daily summary, hours from the raw events: the same figures either way. */
  @Test
  void wholeDaysPartialDaysAndHoursGiveTheSameFigures() {
    Instant midnight = LocalDate.ofInstant(T, ZoneId.systemDefault()).atStartOfDay(ZoneId.systemDefault()).toInstant();
    KpiFilter step = KpiFilter.all().forJourney(journey).forStep("Task_Sms");
    List<KpiFilter> periods = List.of(
        step.between(midnight, midnight.plus(Duration.ofDays(1))),                          // one whole day
        step.between(T.minus(Duration.ofHours(1)), T.plus(Duration.ofHours(1))),           // two hours
        step.between(midnight.minus(Duration.ofHours(30)), midnight.plus(Duration.ofHours(40))), // partial, whole, partial
        step.between(null, midnight.plus(Duration.ofDays(2)).plusSeconds(1)),
        step.between(T, null));
    for (KpiFilter period : periods) {
      KpiRow row = kpis.total(period);
      assertThat(row.delivered()).as("%s", period).isEqualTo(8);
      assertThat(row.clickers()).as("%s", period).isEqualTo(3);
      assertThat(row.revenue()).as("%s", period).isEqualByComparingTo("80.00");
      assertThat(row.responseTimeMedianSeconds()).as("%s", period).isEqualTo(120.0);
      assertThat(row.heldOut()).as("%s", period).isEqualTo(2);
    }
    assertThat(kpis.total(step.between(midnight, T)).delivered()).isZero();
    assertThat(kpis.total(step.between(T.plusMillis(1), midnight.plus(Duration.ofDays(3)))).delivered()).isZero();
  }

  @Test
  void theApiAnswersJsonWithExplicitNullsAndBenchmarksAndCsv() throws Exception {
    RestClient client = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeaders(h -> h.setBasicAuth("marketer", "marketer"))
        .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {}).build();
    JsonNode body = json.readTree(client.get().uri("/api/kpis?journey={j}&groupBy=step", journey).retrieve().body(String.class));
    assertThat(body.at("/rows")).hasSize(2);
    JsonNode nps = body.at("/rows/0/step").asText().equals("Task_Nps") ? body.at("/rows/0") : body.at("/rows/1");
    assertThat(nps.has("clickRate")).isTrue();
    assertThat(nps.get("clickRate").isNull()).isTrue();
    assertThat(body.at("/total/delivered").asLong()).isEqualTo(8);
    assertThat(body.at("/benchmarks/clickRate/average").asDouble()).isEqualTo(0.0576);

    String csv = client.get().uri("/api/kpis?journey={j}&groupBy=step&format=csv", journey).retrieve().body(String.class);
    String[] lines = csv.split("\r\n");
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).startsWith("journey,step,channel,segment,variant,period,sent,delivered");
    String byAccept = client.get().uri("/api/kpis?journey={j}", journey).header("Accept", "text/csv").retrieve().body(String.class);
    assertThat(byAccept.split("\r\n")[1]).startsWith(",,,,,,10,8,2,");

    var bad = client.get().uri("/api/kpis?groupBy=year").retrieve().toEntity(String.class);
    assertThat(bad.getStatusCode().value()).isEqualTo(400);
    assertThat(bad.getBody()).contains("\"field\":\"groupBy\"");
  }

  @Test
  void prometheusExposesTheTotals() {
    RestClient client = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeaders(h -> h.setBasicAuth("admin", "admin")).build();
    String metrics = client.get().uri("/actuator/prometheus").retrieve().body(String.class);
    assertThat(metrics).contains("relais_messages_sent_total{channel=\"SMS\"}").contains("relais_messages_clicked_total");
  }
}
