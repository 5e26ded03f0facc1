package io.relais.journey;

import io.relais.platform.ClusterLock;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Nightly removal of the bulk path's idempotency rows ({@code journey_start}) older than
 * {@code relais.bulk-starts.retention}, in batches, on one node of the cluster at a time. Without
 * it the table grows by one row (~250 B) per journey ever started through the bulk path.
 */
@Component
public class JourneyStartCleanup {

  private static final Logger log = LoggerFactory.getLogger(JourneyStartCleanup.class);
  static final int BATCH = 10_000;

  private final ClusterLock lock;
  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final BulkStartProperties properties;

  public JourneyStartCleanup(ClusterLock lock, JdbcTemplate jdbc, Clock clock, BulkStartProperties properties) {
    this.lock = lock;
    this.jdbc = jdbc;
    this.clock = clock;
    this.properties = properties;
  }

  @Scheduled(cron = "${relais.bulk-starts.cleanup-cron:0 45 3 * * *}")
  public void nightly() {
    run();
  }

  /** Removes the expired rows if no other node is doing it; returns how many, -1 if skipped. */
  public long run() {
    long[] removed = {-1};
    lock.runExclusively("journey-start-cleanup", Duration.ofHours(1), () -> removed[0] = removeExpired());
    if (removed[0] > 0) {
      log.info("Bulk starts: removed {} idempotency rows older than {}", removed[0], properties.retention());
    }
    return removed[0];
  }

  private long removeExpired() {
    Timestamp before = Timestamp.from(clock.instant().minus(properties.retention()));
    long total = 0;
    while (true) {
      // batches keep each transaction short on a table of millions of rows (portable: H2 and PostgreSQL)
      int n = jdbc.update("delete from journey_start where (message_name, business_key, request_key) in ("
          + "select message_name, business_key, request_key from journey_start where started_at < ? fetch first "
          + BATCH + " rows only)", before);
      total += n;
      if (n < BATCH) {
        return total;
      }
    }
  }
}
