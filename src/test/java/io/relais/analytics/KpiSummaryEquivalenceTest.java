package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relais.contact.Channel;
import io.relais.contact.ContactDirectory;
import io.relais.support.PostgresDatabase;
import io.relais.support.RelaisSpringTest;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** KPI answers from the daily summary equal the raw-event computation, on H2 (the application) and PostgreSQL. */
@RelaisSpringTest
class KpiSummaryEquivalenceTest {

  @Autowired EngagementEvents events;
  @Autowired JdbcTemplate jdbc;

  @Test
  void theSummaryAnswersLikeTheRawEventsOnH2() {
    assertThat(KpiSummaryEquivalence.check(events, jdbc, 20261127L, false)).isGreaterThan(300);
  }

  /**
   * Two "nodes" (each its own connection pool and EngagementEvents) record the same 1,200 events
   * at once, four threads each (two of them by pages of 25 events), on the same few summary rows: every event is recorded once (dedup
   * key), and the summary still equals the raw events, neither double counted nor missed.
   */
  @Test
  void twoNodesRecordingTheSameEventsConcurrentlyCountEachOnceOnPostgres() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      DriverManagerDataSource admin = new DriverManagerDataSource(db.url(), db.user(), db.password());
      Flyway.configure().dataSource(admin).locations("classpath:db/migration").load().migrate();
      List<EngagementEvents> nodes = List.of(node(db), node(db));
      ExecutorService threads = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          EngagementEvents node = nodes.get(t % 2);
          int offset = t * 150; // each thread starts elsewhere in the same list, so that the nodes collide
          boolean batches = t % 4 >= 2; // half the threads record pages of 25 events at once, as the projector does
          running.add(threads.submit(() -> {
            List<EngagementEvent> page = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
              int n = (i + offset) % 1200;
              EngagementType type = n % 3 == 0 ? EngagementType.SENT : n % 3 == 1 ? EngagementType.DELIVERED : EngagementType.CLICKED;
              EngagementEvent event = EngagementEvent.of(type, "c-" + n % 50).journey("two-nodes", 1, "Task_" + n % 2)
                  .channel(Channel.SMS).variant(n % 4 < 2 ? "A" : "B").segments(List.of("s" + n % 3, "all"))
                  .message("m-" + n / 3 % 200).cost(type == EngagementType.SENT ? new BigDecimal("0.04500") : null)
                  .at(Instant.parse("2025-05-05T10:00:00Z").plusSeconds(n * 97L)).dedupKey("two-nodes:" + n).build();
              if (!batches) {
                node.record(event);
              } else if (page.add(event) && page.size() == 25) {
                node.recordAll(page);
                page.clear();
              }
            }
            node.recordAll(page);
            return null;
          }));
        }
        for (Future<?> f : running) {
          f.get();
        }
      } finally {
        threads.shutdown();
      }
      JdbcTemplate jdbc = new JdbcTemplate(admin);
      KpiRepository kpis = new KpiRepository(jdbc, 0); // percentiles from the histograms the two nodes wrote
      assertThat(jdbc.queryForObject("select count(*) from engagement_event", Long.class)).isEqualTo(1200);
      KpiRow total = kpis.total(KpiFilter.all());
      assertThat(total.sent()).isEqualTo(400);
      assertThat(total.delivered()).isEqualTo(400);
      assertThat(total.cost()).isEqualByComparingTo("18.00");
      for (KpiFilter.GroupBy g : KpiFilter.GroupBy.values()) {
        KpiRowsAssert.assertSameKpis(kpis.query(KpiFilter.all().groupedBy(g)), kpis.queryRaw(KpiFilter.all().groupedBy(g)), g);
      }
    }
  }

  private static EngagementEvents node(PostgresDatabase db) {
    DriverManagerDataSource ds = new DriverManagerDataSource(db.url(), db.user(), db.password());
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    return new EngagementEvents(jdbc, new DataSourceTransactionManager(ds), Clock.systemUTC(), null,
        new StaticListableBeanFactory().getBeanProvider(ContactDirectory.class), new SimpleMeterRegistry(), new KpiDailySummary(jdbc));
  }

  @Test
  void theSummaryAnswersLikeTheRawEventsOnPostgres() {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      SingleConnectionDataSource ds = new SingleConnectionDataSource(db.url(), db.user(), db.password(), true);
      try {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        EngagementEvents onPostgres = new EngagementEvents(jdbc, new DataSourceTransactionManager(ds), Clock.systemUTC(), null,
            new StaticListableBeanFactory().getBeanProvider(ContactDirectory.class), new SimpleMeterRegistry(),
            new KpiDailySummary(jdbc));
        assertThat(KpiSummaryEquivalence.check(onPostgres, jdbc, 7L, true)).isGreaterThan(800);
      } finally {
        ds.destroy();
      }
    }
  }
}
