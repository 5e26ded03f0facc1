package io.relais.platform;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A lease in the shared database, so that a scheduled job (retention, cleanup, resume of paused
 * contacts) runs on one node at a time however many nodes run.
 */
@Component
public class ClusterLock {

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final String nodeId = UUID.randomUUID().toString();

  public ClusterLock(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** Runs {@code task} if this node gets the lease {@code name} for {@code lease}; true if it ran. */
  public boolean runExclusively(String name, Duration lease, Runnable task) {
    if (!acquire(name, lease)) {
      return false;
    }
    try {
      task.run();
      return true;
    } finally {
      jdbc.update("update relais_lock set locked_until = ? where name = ? and locked_by = ?",
          Timestamp.from(clock.instant()), name, nodeId);
    }
  }

  boolean acquire(String name, Duration lease) {
    Instant now = clock.instant();
    Timestamp until = Timestamp.from(now.plus(lease));
    int taken =
        jdbc.update(
            "update relais_lock set locked_until = ?, locked_by = ? where name = ? and locked_until <= ?",
            until, nodeId, name, Timestamp.from(now));
    if (taken == 1) {
      return true;
    }
    try {
      jdbc.update("insert into relais_lock(name, locked_until, locked_by) values (?, ?, ?)", name, until, nodeId);
      return true;
    } catch (DuplicateKeyException e) {
      return false;
    }
  }

  public String nodeId() {
    return nodeId;
  }
}
