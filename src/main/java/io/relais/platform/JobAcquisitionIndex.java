package io.relais.platform;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The indexes Camunda's job acquisition needs on PostgreSQL once journeys wait by the hundred
 * thousand, each with a timer job. The acquisition query orders due jobs by {@code TYPE_ desc,
 * DUEDATE_} ({@code jobExecutorPreferTimerJobs}) or by {@code DUEDATE_} only, and excludes jobs of
 * process instances that already have a locked job; without indexes every acquisition reads the
 * whole job table (1.3 s of database time at 100,000 waiting timers; with these indexes 0.2 ms
 * when ordered by due date only, 215 ms when timers are preferred: docs/performance.md). Created
 * here rather than by Flyway because the engine creates its tables after Flyway runs; built {@code
 * concurrently}, so that an existing installation keeps running while they are built.
 */
@Component
public class JobAcquisitionIndex {

  private static final Logger log = LoggerFactory.getLogger(JobAcquisitionIndex.class);

  private final DataSource dataSource;
  private final ProcessEngine engine;

  public JobAcquisitionIndex(DataSource dataSource, ProcessEngine engine) {
    this.dataSource = dataSource;
    this.engine = engine;
  }

  /** The statements for the engine's acquisition order; the partial index keeps only locked jobs. */
  static List<String> statements(boolean preferTimerJobs) {
    return List.of(
        preferTimerJobs
            ? "create index concurrently if not exists relais_ix_job_type_due on act_ru_job (type_ desc, duedate_ asc)"
            : "create index concurrently if not exists relais_ix_job_due on act_ru_job (duedate_)",
        "create index concurrently if not exists relais_ix_job_locked on act_ru_job (process_instance_id_) where lock_owner_ is not null");
  }

  /** Before {@link NullKeyIndexes} starts its rebuild (concurrent builds could deadlock). */
  @EventListener(ApplicationStartedEvent.class)
  @Order(0)
  public void ensure() {
    boolean preferTimers = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).isJobExecutorPreferTimerJobs();
    try (Connection c = dataSource.getConnection()) {
      if (!Databases.isPostgres(c)) {
        return; // H2 (embedded, tests): a job table of that size never happens
      }
      c.setAutoCommit(true); // create index concurrently cannot run inside a transaction
      for (String sql : statements(preferTimers)) {
        try (Statement s = c.createStatement()) {
          s.execute(sql);
        }
      }
    } catch (SQLException e) {
      // Another node creating it at the same moment, or no right to: the engine works without it, only slower.
      log.warn("Could not create the job acquisition indexes: {}", e.getMessage());
    }
  }
}
