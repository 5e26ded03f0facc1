package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.analytics.KpiFilter.GroupBy;
import io.relais.contact.Channel;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Records a random set of engagement events through {@link EngagementEvents} (so through the daily
 * summary's incremental maintenance), then checks that every KPI answer built from the summary
 * equals the one aggregate over the raw events, for many filters, groupings and periods (whole
 * months, whole days, partial days, less than a day): every count and sum exactly, the response-time
 * percentiles within {@link DelayHistogram#RELATIVE_ERROR} (see {@link KpiRowsAssert}). Used on H2 and on PostgreSQL.
 */
final class KpiSummaryEquivalence {

  private KpiSummaryEquivalence() {}

  static final LocalDate FIRST_DAY = LocalDate.of(2025, 3, 1);
  static final EngagementType[] TYPES = EngagementType.values();

  /**
   * Checks filters on this run's own journeys and segments (a prefix isolates them from any other
   * events in the database); with {@code ownDatabase}, also filters on the whole base (no journey,
   * no segment), which read the delay histograms' smaller roll-ups.
   */
  static int check(EngagementEvents events, JdbcTemplate jdbc, long seed, boolean ownDatabase) {
    KpiRepository kpis = new KpiRepository(jdbc);
    KpiRepository histograms = new KpiRepository(jdbc, 0);
    String p = "eq" + UUID.randomUUID().toString().substring(0, 8);
    Random random = new Random(seed);
    List<String> journeys = Arrays.asList(p + "-j1", p + "-j2", p + "-j3");
    List<String> segments = List.of(p + "-s1", p + "-s2", p + "-s3");
    ZoneId zone = ZoneId.systemDefault(); // the zone timestamps are stored in: the summary's days
    long before = jdbc.queryForObject("select coalesce(max(id), 0) from engagement_event", Long.class);
    // one at a time (record) and in batches of up to 60 (recordAll, as the projector records a page),
    // repeats of a dedup key or of a first key within a batch included
    List<EngagementEvent> batch = new ArrayList<>();
    int batchSize = 1 + random.nextInt(60);
    int recorded = 0;
    for (int i = 0; i < 700; i++) {
      EngagementType type = TYPES[random.nextInt(TYPES.length)];
      String journey = journeys.get(random.nextInt(3));
      // Most in five days of March, the rest from 10 Feb to 19 Apr: whole months, and days around them.
      LocalDate day = i % 3 == 0 ? FIRST_DAY.minusDays(19).plusDays(random.nextInt(68)) : FIRST_DAY.plusDays(random.nextInt(5));
      Instant at = day.atStartOfDay(zone).toInstant().plusSeconds(random.nextInt(24 * 3600));
      List<String> mine = new ArrayList<>();
      segments.forEach(s -> {
        if (random.nextInt(3) == 0) {
          mine.add(s);
        }
      });
      if (mine.isEmpty() && random.nextBoolean()) {
        mine.add(segments.get(0)); // every event of this run carries a segment of its own, or the j-journey
      }
      EngagementEvent.Builder e = EngagementEvent.of(type, "c-" + random.nextInt(40))
          .journey(random.nextInt(20) == 0 && !mine.isEmpty() ? null : journey, 1, pick(random, "Task_A", "Task_B", null))
          .channel(random.nextInt(8) == 0 ? null : Channel.values()[random.nextInt(Channel.values().length)])
          .variant(pick(random, "A", "B", Experiments.HOLDOUT, null))
          .segments(mine)
          .message(random.nextInt(10) == 0 ? null : p + "-m" + random.nextInt(120))
          .at(at);
      switch (type) {
        case SENT -> e.cost(random.nextBoolean() ? new BigDecimal("0.0" + (1 + random.nextInt(9)) + "125") : null);
        case ORDERED -> e.order(p + "-o" + i, random.nextInt(6) == 0 ? null : new BigDecimal(random.nextInt(20000)).movePointLeft(2))
            .afterReply(random.nextBoolean());
        case NPS_SCORE -> e.score(random.nextInt(7) == 0 ? null : random.nextInt(11));
        case REPLIED, AGENT_RESPONDED -> e.delayMs(random.nextInt(4) == 0 ? null : (long) random.nextInt(3_600_000));
        default -> { }
      }
      if (random.nextInt(15) == 0) {
        e.dedupKey(p + "-d" + random.nextInt(5)); // some repeats, which record nothing
      }
      if (random.nextInt(4) == 0) {
        recorded += events.record(e) ? 1 : 0;
      } else {
        batch.add(e.build());
        if (batch.size() >= batchSize) {
          recorded += events.recordAll(batch);
          batch.clear();
          batchSize = 1 + random.nextInt(60);
        }
      }
    }
    recorded += events.recordAll(batch);
    if (ownDatabase) {
      assertThat(jdbc.queryForObject("select count(*) from engagement_event where id > ?", Long.class, before))
          .as("events recorded, as recordAll and record answered").isEqualTo(recorded);
    }

    Instant day2 = FIRST_DAY.plusDays(1).atStartOfDay(zone).toInstant();
    Instant day4 = FIRST_DAY.plusDays(3).atStartOfDay(zone).toInstant();
    List<Instant[]> periods = List.of(
        new Instant[] {null, null},
        new Instant[] {day2, day4},                                         // whole days only
        new Instant[] {day2.plusSeconds(7 * 3600 + 1800), day4.plusSeconds(15 * 3600)}, // partial days at both ends
        new Instant[] {day2.plusSeconds(3600), day2.plusSeconds(20 * 3600)},  // within one day
        new Instant[] {day2.minusSeconds(5 * 3600), null},
        new Instant[] {null, day4.plusSeconds(1)},
        new Instant[] {FIRST_DAY.atStartOfDay(zone).toInstant(), FIRST_DAY.plusMonths(1).atStartOfDay(zone).toInstant()}, // one month
        new Instant[] {FIRST_DAY.minusDays(9).atStartOfDay(zone).toInstant().plusSeconds(13 * 3600),           // days, a month, days,
            FIRST_DAY.plusMonths(1).plusDays(6).atStartOfDay(zone).toInstant().plusSeconds(3600)},             // partial days
        new Instant[] {FIRST_DAY.plusMonths(1).plusDays(3).atStartOfDay(zone).toInstant(), null});             // days, then months
    KpiFilter all = KpiFilter.all();
    List<KpiFilter> filters = new ArrayList<>(List.of(
        all.forJourney(journeys.get(0)),
        all.forSegment(segments.get(1)),
        all.forJourney(journeys.get(1)).forChannel(Channel.SMS),
        all.forJourney(journeys.get(2)).forStep("Task_B").forVariant("B"),
        all.forSegment(segments.get(2)).forJourney(journeys.get(0)),
        all.forSegment(segments.get(0)).forVariant(Experiments.HOLDOUT),
        all.forJourney(journeys.get(1)).forChannel(Channel.EMAIL).forSegment(segments.get(0)).forStep("Task_A")));
    if (ownDatabase) {
      filters.addAll(List.of(all, all.forChannel(Channel.SMS), all.forVariant("A"), all.forChannel(Channel.WHATSAPP).forVariant("B")));
    }
    List<GroupBy> groupings = new ArrayList<>(Arrays.asList(GroupBy.values()));
    groupings.add(null);
    int compared = 0;
    for (KpiFilter filter : filters) {
      for (Instant[] period : periods) {
        for (GroupBy g : groupings) {
          KpiFilter f = filter.between(period[0], period[1]).groupedBy(g);
          // Equal sums; percentiles within the histograms' bound of the exact ones: read from the histograms
          // whenever the period has a whole day (a repository without the exact path for few delays), and as
          // the application answers (here mostly exact: few delays).
          List<KpiRow> raw = kpis.queryRaw(f);
          KpiRowsAssert.assertSameKpis(histograms.query(f), raw, f);
          KpiRowsAssert.assertSameKpis(kpis.query(f), raw, f);
          compared++;
        }
      }
    }
    // Not a vacuous comparison: the events did land in the filters.
    assertThat(kpis.total(all.forJourney(journeys.get(0))).sent()).isPositive();
    assertThat(kpis.total(all.forSegment(segments.get(1))).delivered()).isPositive();
    assertThat(histograms.total(all.forJourney(journeys.get(0))).responseTimeP90Seconds()).isNotNull();
    assertThat(histograms.total(all.forSegment(segments.get(1))).agentFirstResponseMedianSeconds()).isNotNull();
    return compared;
  }

  @SafeVarargs
  private static <T> T pick(Random random, T... options) {
    return options[random.nextInt(options.length)];
  }
}
