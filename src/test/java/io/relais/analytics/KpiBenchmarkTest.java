package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.analytics.KpiFilter.GroupBy;
import io.relais.contact.Channel;
import io.relais.support.PostgresDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The dashboard's KPI queries over many engagement events on PostgreSQL (default 10 million, one
 * year, 20 journeys × 5 steps, 4 channels, 2 variants, 8 segments): prints each query's time.
 * The events are bulk-loaded with {@code generate_series}, then the summaries are rebuilt from them
 * (live, they are maintained event by event); then a sweep of every filter combination prints the slowest. Run: {@code ./mvnw -o test -Dtest=KpiBenchmarkTest
 * -Dsurefire.excludedGroups=none -Dgroups=benchmark -Drelais.bench.events=10000000}.
 */
@Tag("benchmark")
class KpiBenchmarkTest {

  static final Instant START = Instant.parse("2025-01-01T00:00:00Z");
  static final Instant END = START.plus(365, ChronoUnit.DAYS);

  @Test
  void kpiQueriesOverMillionsOfEvents() {
    long n = Long.getLong("relais.bench.events", 10_000_000L);
    String reuse = System.getProperty("relais.bench.database"); // the data of an earlier run kept with relais.bench.keep
    PostgresDatabase db = reuse == null ? PostgresDatabase.create() : PostgresDatabase.existing(reuse);
    System.out.println("BENCH database " + db.name() + (Boolean.getBoolean("relais.bench.keep") ? " (kept: drop it by hand)" : ""));
    try {
      DriverManagerDataSource ds = new DriverManagerDataSource(db.url(), db.user(), db.password());
      JdbcTemplate jdbc = new JdbcTemplate(ds);
      long t0 = System.nanoTime();
      // On kept data, this applies the migrations added since (their backfills included), out of order as the application does.
      Flyway.configure().dataSource(ds).locations("classpath:db/migration").outOfOrder(true).load().migrate();
      if (reuse == null) {
        generate(jdbc, n);
      }
      System.out.printf(Locale.ROOT, "BENCH generated %,d events (+%,d segment rows) in %.1f s%n", n,
          jdbc.queryForObject("select count(*) from engagement_segment", Long.class), (System.nanoTime() - t0) / 1e9);

      KpiRepository kpis = new KpiRepository(jdbc);
      Instant last30 = END.minus(30, ChronoUnit.DAYS);
      Map<String, KpiFilter> cases = new LinkedHashMap<>();
      KpiFilter all = KpiFilter.all();
      cases.put("whole year, total", all);
      cases.put("whole year, by journey", all.groupedBy(GroupBy.JOURNEY));
      cases.put("whole year, by month", all.groupedBy(GroupBy.MONTH));
      cases.put("whole year, by week", all.groupedBy(GroupBy.WEEK));
      cases.put("whole year, by step", all.groupedBy(GroupBy.STEP));
      cases.put("whole year, by channel", all.groupedBy(GroupBy.CHANNEL));
      cases.put("whole year, by variant", all.groupedBy(GroupBy.VARIANT));
      cases.put("whole year, by segment", all.groupedBy(GroupBy.SEGMENT));
      cases.put("whole year, segment seg-3", all.forSegment("seg-3"));
      cases.put("whole year, by day", all.groupedBy(GroupBy.DAY));
      cases.put("last 30 days, total", all.between(last30, END));
      cases.put("last 30 days, by day", all.between(last30, END).groupedBy(GroupBy.DAY));
      cases.put("last 30 days, by week", all.between(last30, END).groupedBy(GroupBy.WEEK));
      cases.put("last 30 days, by channel", all.between(last30, END).groupedBy(GroupBy.CHANNEL));
      cases.put("last 30 days, by segment", all.between(last30, END).groupedBy(GroupBy.SEGMENT));
      cases.put("last 30 days, segment seg-2 by channel", all.between(last30, END).forSegment("seg-2").groupedBy(GroupBy.CHANNEL));
      cases.put("journey, whole year, by step", all.forJourney("journey-3").groupedBy(GroupBy.STEP));
      cases.put("journey+step, whole year, by variant", all.forJourney("journey-3").forStep("Task_Step2").groupedBy(GroupBy.VARIANT));
      cases.put("journey+channel+variant, 90 days", all.forJourney("journey-7").forChannel(Channel.SMS).forVariant("B")
          .between(END.minus(90, ChronoUnit.DAYS), END));
      cases.put("journey+segment, whole year, by day", all.forJourney("journey-5").forSegment("seg-5").groupedBy(GroupBy.DAY));
      cases.put("partial days (Jun 3 10:30 to Sep 9 17:00), by channel", all.between(
          Instant.parse("2025-06-03T10:30:00Z"), Instant.parse("2025-09-09T17:00:00Z")).groupedBy(GroupBy.CHANNEL));
      cases.put("one day, hour 9 to 12, by variant", all.between(
          Instant.parse("2025-10-01T09:00:00Z"), Instant.parse("2025-10-01T12:00:00Z")).groupedBy(GroupBy.VARIANT));
      cases.put("step+channel+variant+segment, partial days", all.forJourney("journey-11").forStep("Task_Step4")
          .forChannel(Channel.EMAIL).forVariant("A").forSegment("seg-1").between(
              Instant.parse("2025-02-10T08:00:00Z"), Instant.parse("2025-11-20T20:00:00Z")));
      List<String> report = new ArrayList<>();
      cases.forEach((name, filter) -> {
        kpis.query(filter); // warm
        long best = Long.MAX_VALUE;
        long bestSums = Long.MAX_VALUE;
        List<KpiRow> rows = List.of();
        for (int i = 0; i < 3; i++) {
          long s = System.nanoTime();
          rows = kpis.query(filter);
          best = Math.min(best, (System.nanoTime() - s) / 1_000_000);
          s = System.nanoTime();
          kpis.querySums(filter);
          bestSums = Math.min(bestSums, (System.nanoTime() - s) / 1_000_000);
        }
        assertThat(rows).isNotEmpty();
        report.add(String.format(Locale.ROOT, "BENCH %-55s %6d ms, of which sums %6d ms  (%d rows, %,d delivered)  load %s", name,
            best, bestSums, rows.size(), rows.stream().mapToLong(KpiRow::delivered).sum(), loadAverage()));
      });
      report.forEach(System.out::println);
      if (!"false".equals(System.getProperty("relais.bench.sweep"))) {
        sweep(kpis, last30);
      }
      // The summary answers like the raw events (here on the generated data; KpiSummaryEquivalenceTest on random data).
      for (String name : List.of("whole year, by month", "last 30 days, by segment", "partial days (Jun 3 10:30 to Sep 9 17:00), by channel")) {
        long s = System.nanoTime();
        List<KpiRow> raw = kpis.queryRaw(cases.get(name));
        long rawMs = (System.nanoTime() - s) / 1_000_000;
        double error = KpiRowsAssert.assertSameKpis(kpis.query(cases.get(name)), raw, name);
        System.out.printf(Locale.ROOT, "BENCH raw events only: %-45s %6d ms  (same sums; percentiles at most %.2f %% off)%n", name,
            rawMs, 100 * error);
      }
      assertThat(kpis.total(all).sent()).isEqualTo(jdbc.queryForObject(
          "select count(*) from engagement_event where event_type = 'SENT'", Long.class));
    } finally {
      if (!Boolean.getBoolean("relais.bench.keep") && reuse == null) {
        db.close();
      }
    }
  }

  /**
   * "Any filter combination": every combination of journey (and step), channel, variant and segment
   * filters × every grouping × three periods (648 queries), once each; prints the slowest, re-timed best of 3.
   */
  static void sweep(KpiRepository kpis, Instant last30) {
    List<KpiFilter> filters = new ArrayList<>();
    for (int journey = 0; journey < 3; journey++) {
      for (int mask = 0; mask < 8; mask++) {
        KpiFilter f = KpiFilter.all();
        f = journey == 0 ? f : journey == 1 ? f.forJourney("journey-9") : f.forJourney("journey-9").forStep("Task_Step1");
        f = (mask & 1) == 0 ? f : f.forChannel(Channel.WHATSAPP);
        f = (mask & 2) == 0 ? f : f.forVariant("B");
        f = (mask & 4) == 0 ? f : f.forSegment("seg-6");
        filters.add(f);
      }
    }
    List<Instant[]> periods = List.of(new Instant[] {null, null}, new Instant[] {last30, END},
        new Instant[] {Instant.parse("2025-02-10T08:00:00Z"), Instant.parse("2025-11-20T20:00:00Z")});
    List<GroupBy> groupings = new ArrayList<>(List.of(GroupBy.values()));
    groupings.add(null);
    List<Object[]> timed = new ArrayList<>();
    long start = System.nanoTime();
    for (KpiFilter filter : filters) {
      for (Instant[] period : periods) {
        for (GroupBy g : groupings) {
          KpiFilter f = filter.between(period[0], period[1]).groupedBy(g);
          long s = System.nanoTime();
          kpis.query(f);
          timed.add(new Object[] {(System.nanoTime() - s) / 1_000_000, f});
        }
      }
    }
    System.out.printf(Locale.ROOT, "BENCH sweep: %d queries in %.1f s  load %s%n", timed.size(), (System.nanoTime() - start) / 1e9,
        loadAverage());
    timed.sort((a, b) -> Long.compare((Long) b[0], (Long) a[0]));
    for (Object[] t : timed.subList(0, 8)) {
      KpiFilter f = (KpiFilter) t[1];
      long best = Long.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        long s = System.nanoTime();
        kpis.query(f);
        best = Math.min(best, (System.nanoTime() - s) / 1_000_000);
      }
      System.out.printf(Locale.ROOT, "BENCH sweep slowest: %5d ms once, %5d ms best of 3  load %s  %s%n", t[0], best, loadAverage(), f);
    }
  }

  /** The machine's 1-minute load average (other jobs share it: figures compare only at similar load). */
  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException | RuntimeException e) {
      return "?";
    }
  }

  /** One year of append-only events in time order, generated by PostgreSQL itself; indexes built after the load. */
  static void generate(JdbcTemplate jdbc, long n) {
    List<String> indexes = jdbc.queryForList(
        "select indexdef from pg_indexes where tablename in ('engagement_event', 'engagement_segment') and indexname not like '%pkey'",
        String.class);
    jdbc.queryForList("select indexname from pg_indexes where tablename in ('engagement_event', 'engagement_segment') "
        + "and indexname not like '%pkey'", String.class).forEach(i -> jdbc.execute("drop index " + i));
    jdbc.execute("alter table engagement_segment drop constraint engagement_segment_pkey");
    long seconds = 365L * 24 * 3600;
    jdbc.execute("""
        insert into engagement_event (id, event_type, contact_id, journey_key, journey_version, step_id, channel, variant, segments,
          message_id, revenue, cost, score, delay_ms, after_reply, occurred_at, first_key)
        select g, t.type, 'c-' || (g %% 1000003), 'journey-' || (g / 100 %% 20), 1, 'Task_Step' || (g / 2000 %% 5),
          (array['SMS','EMAIL','WHATSAPP','RCS'])[1 + (g / 7 %% 4)], case when (g / 3) %% 2 = 0 then 'A' else 'B' end,
          'seg-' || (g %% 8), 'm-' || (g / 3),
          case when t.type = 'ORDERED' then 20 + g %% 80 end, case when t.type = 'SENT' then 0.045 end,
          case when t.type = 'NPS_SCORE' then (g %% 11)::int end,
          case when t.type in ('REPLIED', 'AGENT_RESPONDED') then (g %% 3600) * 1000 end,
          case when t.type = 'ORDERED' then g %% 3 = 0 end,
          timestamp '2025-01-01 00:00:00' + make_interval(secs => (g * %d.0 / %d)),
          case when t.type in ('CLICKED','REPLIED','OPTED_OUT','ORDERED','OPENED') and g %% 4 <> 0 then 'f' || g end
        from generate_series(1, %d) g
        cross join lateral (select case
          when g %% 100 < 38 then 'SENT' when g %% 100 < 74 then 'DELIVERED' when g %% 100 < 80 then 'CLICKED'
          when g %% 100 < 86 then 'REPLIED' when g %% 100 < 88 then 'OPTED_OUT' when g %% 100 < 90 then 'ORDERED'
          when g %% 100 < 92 then 'NPS_SCORE' when g %% 100 < 94 then 'AGENT_RESPONDED' when g %% 100 < 95 then 'HANDED_OFF'
          when g %% 100 < 97 then 'OPENED' else 'FAILED' end as type) t
        """.formatted(seconds, n, n));
    jdbc.execute("insert into engagement_segment (event_id, segment) select id, segments from engagement_event");
    jdbc.execute("alter table engagement_segment add primary key (event_id, segment)");
    indexes.forEach(jdbc::execute);
    jdbc.execute("vacuum analyze engagement_event");
    jdbc.execute("vacuum analyze engagement_segment");
    long t = System.nanoTime();
    new KpiDailySummary(jdbc).rebuild();
    for (String table : List.of("kpi_daily", "kpi_daily_segment", "kpi_daily_cv", "kpi_daily_cv_segment", "kpi_monthly",
        "kpi_monthly_segment", "kpi_delay")) {
      jdbc.execute("vacuum analyze " + table);
    }
    System.out.printf(Locale.ROOT, "BENCH summary built in %.1f s: %,d day rows, %,d day-segment rows, %,d day channel × variant rows, "
        + "%,d of them per segment, %,d month rows, %,d month-segment rows, %,d histogram rows%n", (System.nanoTime() - t) / 1e9,
        jdbc.queryForObject("select count(*) from kpi_daily", Long.class),
        jdbc.queryForObject("select count(*) from kpi_daily_segment", Long.class),
        jdbc.queryForObject("select count(*) from kpi_daily_cv", Long.class),
        jdbc.queryForObject("select count(*) from kpi_daily_cv_segment", Long.class),
        jdbc.queryForObject("select count(*) from kpi_monthly", Long.class),
        jdbc.queryForObject("select count(*) from kpi_monthly_segment", Long.class),
        jdbc.queryForObject("select count(*) from kpi_delay", Long.class));
  }
}
