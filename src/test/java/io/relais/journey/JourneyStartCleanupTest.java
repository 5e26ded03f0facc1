package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The bulk path's idempotency rows are removed after the retention (7 days), the recent ones kept. */
@RelaisSpringTest
class JourneyStartCleanupTest {

  static final Instant NOW = Instant.parse("2026-09-01T01:00:00Z");

  @Autowired JourneyStartCleanup cleanup;
  @Autowired JdbcTemplate jdbc;

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  void insert(String message, String contact, Instant startedAt) {
    jdbc.update("insert into journey_start (message_name, business_key, request_key, process_instance_id, started_at) values (?, ?, ?, ?, ?)",
        message, contact, "req-1", UUID.randomUUID().toString(), Timestamp.from(startedAt));
  }

  long count(String message) {
    return jdbc.queryForObject("select count(*) from journey_start where message_name = ?", Long.class, message);
  }

  @Test
  void startsOlderThanTheRetentionAreForgottenInBatchesTheOthersKept() {
    ClockUtil.setCurrentTime(Date.from(NOW));
    String message = "CleanupTest-" + UUID.randomUUID();
    int old = JourneyStartCleanup.BATCH + 7; // more than one batch
    jdbc.batchUpdate("insert into journey_start (message_name, business_key, request_key, process_instance_id, started_at) values (?, ?, 'req-1', ?, ?)",
        java.util.stream.IntStream.range(0, old).mapToObj(i -> new Object[] {message, "old-" + i, "pi-" + i,
            Timestamp.from(NOW.minus(Duration.ofDays(7)).minusSeconds(1 + i))}).toList());
    insert(message, "recent", NOW.minus(Duration.ofDays(7)).plusSeconds(60));
    insert(message, "today", NOW.minusSeconds(5));

    assertThat(cleanup.run()).isGreaterThanOrEqualTo(old);

    assertThat(count(message)).isEqualTo(2);
    assertThat(jdbc.queryForList("select business_key from journey_start where message_name = ? order by business_key", String.class, message))
        .containsExactly("recent", "today");
  }
}
