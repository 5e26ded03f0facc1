package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relais.contact.Channel;
import io.relais.contact.ContactDirectory;
import io.relais.support.PostgresDatabase;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * What the summaries cost when recording: events per second through {@link EngagementEvents} (one
 * thread; one transaction per event, and pages of 500 events as the message projector records them) on PostgreSQL, each event with
 * two segments, one in ten a reply with a delay. Run: {@code ./mvnw -o test -Dtest=KpiRecordingBenchmarkTest
 * -Dsurefire.excludedGroups=none -Dgroups=benchmark}.
 */
@Tag("benchmark")
class KpiRecordingBenchmarkTest {

  @Test
  void recordingThroughput() {
    int n = Integer.getInteger("relais.bench.record", 5_000);
    try (PostgresDatabase db = PostgresDatabase.create()) {
      SingleConnectionDataSource ds = new SingleConnectionDataSource(db.url(), db.user(), db.password(), true);
      try {
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        EngagementEvents events = new EngagementEvents(jdbc, new DataSourceTransactionManager(ds), Clock.systemUTC(), null,
            new StaticListableBeanFactory().getBeanProvider(ContactDirectory.class), new SimpleMeterRegistry(),
            new KpiDailySummary(jdbc));
        EngagementType[] types = {EngagementType.SENT, EngagementType.DELIVERED, EngagementType.SENT, EngagementType.DELIVERED,
            EngagementType.CLICKED, EngagementType.SENT, EngagementType.DELIVERED, EngagementType.OPENED, EngagementType.FAILED,
            EngagementType.REPLIED};
        // one event per transaction (record) and pages of 500 (recordAll, as the projector), rounds alternated
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE};
        for (int round = 0; round < 6; round++) {
          boolean pages = round % 2 == 1;
          List<EngagementEvent> page = new ArrayList<>();
          long start = System.nanoTime();
          for (int i = 0; i < n; i++) {
            EngagementType type = types[i % types.length];
            EngagementEvent.Builder e = EngagementEvent.of(type, "c-" + i % 997).journey("journey-" + i % 7, 1, "Task_" + i % 3)
                .channel(Channel.values()[i % 4]).variant(i % 2 == 0 ? "A" : "B").segments(List.of("all", "seg-" + i % 5))
                .message("m-" + round + "-" + i / 10).at(Instant.parse("2025-03-01T08:00:00Z").plusSeconds(i * 53L + round));
            if (type == EngagementType.SENT) {
              e.cost(new BigDecimal("0.04500"));
            } else if (type == EngagementType.REPLIED) {
              e.delayMs((long) (i * 7919L % 3_600_000L));
            }
            if (!pages) {
              events.record(e);
            } else if (page.add(e.build()) && page.size() == 500) {
              events.recordAll(page);
              page.clear();
            }
          }
          events.recordAll(page);
          best[round % 2] = Math.min(best[round % 2], System.nanoTime() - start);
        }
        assertThat(jdbc.queryForObject("select count(*) from engagement_event", Long.class)).isEqualTo(6L * n);
        System.out.printf(Locale.ROOT, "BENCH recording %,d events one per transaction: best of 3 %.0f ms, %.0f events/s  load %s%n", n,
            best[0] / 1e6, n / (best[0] / 1e9), KpiBenchmarkTest.loadAverage());
        System.out.printf(Locale.ROOT, "BENCH recording %,d events in pages of 500: best of 3 %.0f ms, %.0f events/s (x%.1f)%n", n,
            best[1] / 1e6, n / (best[1] / 1e9), (double) best[0] / best[1]);
      } finally {
        ds.destroy();
      }
    }
  }
}
