package io.relais.support;

import java.util.List;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.impl.util.ClockUtil;

/** Runs due jobs by hand, as the job executor would, for deterministic tests. */
public final class Jobs {

  private Jobs() {}

  /** Executes due jobs (timers due at the engine clock, async continuations) until none is left. */
  public static int runDue(ManagementService management) {
    return runDue(management, null);
  }

  /** Like {@link #runDue(ManagementService)} but only for jobs of one process instance. */
  public static int runDue(ManagementService management, String processInstanceId) {
    int executed = 0;
    for (int round = 0; round < 1000; round++) {
      var query = management.createJobQuery().executable();
      if (processInstanceId != null) {
        query.processInstanceId(processInstanceId);
      }
      List<Job> jobs = query.list().stream().filter(j -> j.getRetries() > 0).filter(j -> j.getDuedate() == null || !j.getDuedate().after(ClockUtil.now())).toList();
      if (jobs.isEmpty()) {
        return executed;
      }
      for (Job job : jobs) {
        try {
          management.executeJob(job.getId());
        } catch (RuntimeException e) {
          // a failing job keeps its retries count down, as with the job executor
        }
        executed++;
      }
    }
    throw new IllegalStateException("Jobs keep coming after 1000 rounds: a loop in a journey?");
  }
}
