package io.relais.platform;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Optional;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.camunda.bpm.engine.impl.jobexecutor.NotifyAcquisitionRejectedJobsHandler;
import org.camunda.bpm.spring.boot.starter.property.CamundaBpmProperties;
import org.camunda.bpm.spring.boot.starter.property.JobExecutionProperty;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.TaskExecutor;

/**
 * The engine's job executor as the Camunda starter makes it (its {@code camunda.bpm.job-execution.*}
 * settings, its task executor, rejected jobs handed back to the acquisition), with the jobs of
 * one acquisition run in batches ({@link BatchingJobExecutor}, {@code relais.jobs.batch-size};
 * docs/performance.md). Replaces the starter's executor, which steps aside for any other.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "camunda.bpm.job-execution", name = "enabled", havingValue = "true", matchIfMissing = true)
public class JobExecutionConfiguration {

  static final String BATCHES = "relais.jobs.batches";
  static final String BATCHED_JOBS = "relais.jobs.batched";
  static final String PREFETCHED = "relais.jobs.prefetched";

  @Bean
  public static JobExecutor jobExecutor(@Qualifier("camundaTaskExecutor") TaskExecutor taskExecutor,
      CamundaBpmProperties properties, @Value("${relais.jobs.batch-size:8}") int batchSize) {
    BatchingJobExecutor executor = new BatchingJobExecutor(batchSize);
    executor.setTaskExecutor(taskExecutor);
    executor.setRejectedJobsHandler(new NotifyAcquisitionRejectedJobsHandler());
    JobExecutionProperty job = properties.getJobExecution();
    Optional.ofNullable(job.getLockTimeInMillis()).ifPresent(executor::setLockTimeInMillis);
    Optional.ofNullable(job.getMaxJobsPerAcquisition()).ifPresent(executor::setMaxJobsPerAcquisition);
    Optional.ofNullable(job.getWaitTimeInMillis()).ifPresent(executor::setWaitTimeInMillis);
    Optional.ofNullable(job.getMaxWait()).ifPresent(executor::setMaxWait);
    Optional.ofNullable(job.getBackoffTimeInMillis()).ifPresent(executor::setBackoffTimeInMillis);
    Optional.ofNullable(job.getMaxBackoff()).ifPresent(executor::setMaxBackoff);
    Optional.ofNullable(job.getBackoffDecreaseThreshold()).ifPresent(executor::setBackoffDecreaseThreshold);
    Optional.ofNullable(job.getWaitIncreaseFactor()).ifPresent(executor::setWaitIncreaseFactor);
    return executor;
  }

  /**
   * {@code relais.jobs.batches} (tag outcome: committed, rolled-back), {@code relais.jobs.batched}
   * (jobs committed in batches) and {@code relais.jobs.prefetched} (journeys whose engine state a
   * batch read before running their jobs, {@link JourneyPrefetch}).
   */
  @Bean
  public MeterBinder jobBatchMetrics(JobExecutor executor, JourneyPrefetch prefetch) {
    return registry -> {
      FunctionCounter.builder(PREFETCHED, prefetch, JourneyPrefetch::journeysRead)
          .description("Journeys whose engine state a batch of jobs read at once").register(registry);
      if (executor instanceof BatchingJobExecutor batching) {
        FunctionCounter.builder(BATCHES, batching, BatchingJobExecutor::batchesCommitted).tag("outcome", "committed")
            .description("Batches of jobs run in one transaction").register(registry);
        FunctionCounter.builder(BATCHES, batching, BatchingJobExecutor::batchesRolledBack).tag("outcome", "rolled-back")
            .description("Batches of jobs rolled back and run again job by job").register(registry);
        FunctionCounter.builder(BATCHED_JOBS, batching, BatchingJobExecutor::jobsInCommittedBatches)
            .description("Jobs committed in batches of more than one").register(registry);
      }
    };
  }
}
