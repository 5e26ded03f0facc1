package io.relais.platform;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Warns an operator whose PostgreSQL runs without autovacuum. Journeys make the engine's tables
 * grow from nothing to millions of rows; without the statistics autovacuum keeps, the planner
 * keeps the plans it made for empty tables. Measured (docs/performance.md): the "is a double
 * opt-in pending for this contact?" query (then an engine process instance query) read every root
 * execution, 11.9 ms at 2,700 running journeys, instead of 0.7 ms through the business-key index
 * once the table was analyzed.
 */
@Component
public class AutovacuumCheck {

  private static final Logger log = LoggerFactory.getLogger(AutovacuumCheck.class);

  private final DataSource dataSource;

  public AutovacuumCheck(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The warning for these server settings ({@code show autovacuum}, {@code show track_counts}), or null. */
  static String warning(String autovacuum, String trackCounts) {
    boolean autovacuumOn = "on".equalsIgnoreCase(autovacuum);
    boolean countsOn = "on".equalsIgnoreCase(trackCounts);
    if (autovacuumOn && countsOn) {
      return null;
    }
    return "PostgreSQL runs with autovacuum=" + autovacuum + ", track_counts=" + trackCounts + ": nothing analyzes or "
        + "vacuums Relais' tables as journeys fill them, and queries on running journeys slow down as they grow "
        + "(plans made for empty tables). Turn both on (PostgreSQL's default), or run ANALYZE regularly; see docs/performance.md.";
  }

  @EventListener(ApplicationStartedEvent.class)
  public void check() {
    try (Connection c = dataSource.getConnection()) {
      if (!Databases.isPostgres(c)) {
        return; // H2, embedded: no planner statistics to keep
      }
      String warning = warning(setting(c, "autovacuum"), setting(c, "track_counts"));
      if (warning != null) {
        log.warn(warning);
      }
    } catch (SQLException e) {
      log.debug("Could not read PostgreSQL's autovacuum settings: {}", e.getMessage());
    }
  }

  private static String setting(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("show " + name)) {
      return rs.next() ? rs.getString(1) : "unknown";
    }
  }
}
