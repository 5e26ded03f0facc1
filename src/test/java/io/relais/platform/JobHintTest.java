package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.impl.jobexecutor.SequentialJobAcquisitionRunnable;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The engine wakes the job acquisition when a transaction that created a job commits; a
 * transaction that ran every job it created (a reply's next steps, run with its routing) says so,
 * and its commit wakes nothing. Only that transaction, on that thread: the next one wakes it again.
 */
class JobHintTest {

  private final AtomicInteger wakeUps = new AtomicInteger();
  private final BatchingJobExecutor executor = new BatchingJobExecutor(8) {
    {
      isActive = true;
      acquireJobsRunnable = new SequentialJobAcquisitionRunnable(this) {
        @Override
        public void jobWasAdded() {
          wakeUps.incrementAndGet();
        }
      };
    }
  };
  private final TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(h2()));

  @Test
  void aTransactionThatLeftNoJobWakesNoAcquisitionAtItsCommit() {
    tx.executeWithoutResult(s -> {
      hintAtCommit(); // as the engine does for the job the correlation created
      BatchingJobExecutor.noJobLeftInThisTransaction();
    });
    assertThat(wakeUps).hasValue(0);

    tx.executeWithoutResult(s -> hintAtCommit());
    assertThat(wakeUps).as("the thread's next transaction wakes it as usual").hasValue(1);
  }

  @Test
  void aTransactionRolledBackLeavesTheThreadAsItWas() {
    tx.executeWithoutResult(s -> {
      BatchingJobExecutor.noJobLeftInThisTransaction();
      s.setRollbackOnly();
    });
    tx.executeWithoutResult(s -> hintAtCommit());
    assertThat(wakeUps).hasValue(1);
  }

  @Test
  void outsideATransactionItChangesNothing() {
    BatchingJobExecutor.noJobLeftInThisTransaction();
    executor.jobWasAdded();
    assertThat(wakeUps).hasValue(1);
  }

  private void hintAtCommit() {
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        executor.jobWasAdded();
      }
    });
  }

  private static JdbcDataSource h2() {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:job-hint;DB_CLOSE_DELAY=-1");
    return ds;
  }
}
