package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.relais.support.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

class AutovacuumCheckTest {

  @Test
  void warnsWhenAutovacuumOrItsCountersAreOff() {
    assertThat(AutovacuumCheck.warning("on", "on")).isNull();
    assertThat(AutovacuumCheck.warning("off", "on")).contains("autovacuum=off").contains("ANALYZE");
    assertThat(AutovacuumCheck.warning("on", "off")).contains("track_counts=off");
  }

  @Test
  void readsTheSettingsOfTheRealServer() {
    Logger logger = (Logger) LoggerFactory.getLogger(AutovacuumCheck.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try (PostgresDatabase db = PostgresDatabase.create()) {
      DriverManagerDataSource dataSource = new DriverManagerDataSource(db.url(), db.user(), db.password());
      JdbcTemplate jdbc = new JdbcTemplate(dataSource);
      boolean off = !"on".equals(jdbc.queryForObject("show autovacuum", String.class))
          || !"on".equals(jdbc.queryForObject("show track_counts", String.class));

      new AutovacuumCheck(dataSource).check();

      assertThat(logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage))
          .as("a warning exactly when this server runs without autovacuum")
          .hasSize(off ? 1 : 0)
          .allMatch(m -> m.contains("autovacuum="));
    } finally {
      logger.detachAppender(logged);
    }
  }
}
