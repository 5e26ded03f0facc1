package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relais.contact.ContactDirectory;
import io.relais.support.PostgresDatabase;
import io.relais.support.RelaisSpringTest;
import java.time.Clock;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** KPI answers from the daily summary equal the raw-event computation, on H2 (the application) and PostgreSQL. */
@RelaisSpringTest
class KpiSummaryEquivalenceTest {

  @Autowired EngagementEvents events;
  @Autowired KpiRepository kpis;

  @Test
  void theSummaryAnswersLikeTheRawEventsOnH2() {
    assertThat(KpiSummaryEquivalence.check(events, kpis, 20261127L)).isGreaterThan(300);
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
        assertThat(KpiSummaryEquivalence.check(onPostgres, new KpiRepository(jdbc), 7L)).isGreaterThan(300);
      } finally {
        ds.destroy();
      }
    }
  }
}
