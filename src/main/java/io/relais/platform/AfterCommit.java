package io.relais.platform;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Work that must only happen once what the current transaction wrote is visible to others. */
public final class AfterCommit {

  private AfterCommit() {}

  /** Runs {@code task} after the current transaction commits (never if it rolls back); at once without one. */
  public static void run(Runnable task) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      task.run();
      return;
    }
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        task.run();
      }
    });
  }
}
