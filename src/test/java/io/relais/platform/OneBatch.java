package io.relais.platform;

import java.util.List;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutorContext;

/** Jobs run as the job executor runs a batch of them ({@link BatchingJobExecutor.ExecuteBatchCmd}), for tests on a standalone engine. */
final class OneBatch {

  private OneBatch() {
  }

  /** Runs the jobs in one transaction, with a minute before the batch's deadline; answers the jobs not run. */
  static List<String> run(ProcessEngine engine, List<String> jobIds) {
    Context.setJobExecutorContext(new JobExecutorContext());
    try {
      return ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getCommandExecutorTxRequired()
          .execute(new BatchingJobExecutor.ExecuteBatchCmd(jobIds, System.nanoTime() + 60_000_000_000L));
    } finally {
      Context.removeJobExecutorContext();
    }
  }
}
