package io.relais.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The index Camunda's job acquisition needs on PostgreSQL with {@code jobExecutorPreferTimerJobs}
 * and {@code jobExecutorAcquireByDueDate} (application.yml): its query orders due jobs by {@code
 * TYPE_ desc, DUEDATE_}; without this index every acquisition reads and sorts the whole job table
 * (194 ms of database CPU per acquisition at 10,000 jobs, 35 ms with it; docs/performance.md).
 * Created here rather than by Flyway because the engine creates its tables after Flyway runs; on
 * an existing installation it is built {@code concurrently}, without blocking the job table.
 */
@Component
public class JobAcquisitionIndex {

  static final String NAME = "relais_ix_job_acquisition";
  private static final Logger log = LoggerFactory.getLogger(JobAcquisitionIndex.class);

  private final DataSource dataSource;

  public JobAcquisitionIndex(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @EventListener(ApplicationStartedEvent.class)
  public void ensure() {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")) {
        return; // H2 (embedded, tests): a job table of that size never happens
      }
      c.setAutoCommit(true); // create index concurrently cannot run inside a transaction
      try (Statement s = c.createStatement()) {
        s.execute("create index concurrently if not exists " + NAME + " on act_ru_job (type_ desc, duedate_ asc)");
      }
    } catch (SQLException e) {
      // Another node creating it at the same moment, or no right to: the engine works without it, only slower.
      log.warn("Could not create the job acquisition index {}: {}", NAME, e.getMessage());
    }
  }
}
