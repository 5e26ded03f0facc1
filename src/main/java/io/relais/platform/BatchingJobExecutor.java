package io.relais.platform;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.impl.JobQueryImpl;
import org.camunda.bpm.engine.impl.ProcessEngineImpl;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.ExecuteJobsCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.jobexecutor.AcquiredJobs;
import org.camunda.bpm.engine.impl.jobexecutor.ExecuteJobsRunnable;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutorContext;
import org.camunda.bpm.engine.impl.jobexecutor.JobFailureCollector;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TimerEntity;
import org.camunda.bpm.engine.management.Metrics;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.spring.components.jobexecutor.SpringJobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The engine's job executor, with the timer jobs of one acquisition run together: up to
 * {@code batchSize} timers of different journeys in one transaction, instead of one transaction per
 * job. A burst of timers that fall due together (the day after a campaign, the morning after quiet
 * hours) costs one commit per batch, and the engine's flush writes the batch's rows in JDBC
 * batches. Other jobs (asynchronous continuations: the steps after a customer's reply) run alone
 * as before, each on a thread of its own, so that no one waiting for an answer waits for a batch.
 *
 * <p>What does not change:
 * <ul>
 *   <li>which jobs run: acquisition, locks, priorities and due dates are the engine's own; the
 *       exclusive jobs of one journey still come in one list and run one after the other, on one
 *       thread;</li>
 *   <li>what a failure does: when any job of a batch throws, or the batch's commit fails (an
 *       optimistic-locking conflict with a message correlated meanwhile, say), the whole batch
 *       rolls back and each of its jobs runs again on its own, through the engine's own path
 *       ({@link ExecuteJobsRunnable}): retries, incidents and failure logs are exactly those of a
 *       job run alone, and the jobs that did not fail commit as they would have;</li>
 *   <li>what a send does: the send pipeline commits a message's record under its job's key before
 *       any provider call, in a transaction of its own, so a job run again after its batch rolled
 *       back finds its message and does not send it twice;</li>
 *   <li>how long a job stays locked unrun: a batch stops taking its next job a quarter of the lock
 *       time after it began (slow provider calls), commits, and leaves the rest to run alone.</li>
 * </ul>
 *
 * <p>What a job of a batch must not do: hold, in its journey's transaction, a row lock that a
 * transaction of its own (the send record's) may wait for in another job of the batch. Relais'
 * delegates write their journey's own rows there; a send's caps and throughput are locked in the
 * record's transaction.
 *
 * <p>Batches form only under a backlog: from an acquisition that came back full (more jobs due than
 * it takes at once). A batch holds jobs already due; it never waits for more. Below that, and with
 * {@code batchSize} 1, this is the engine's executor: one job, one transaction.
 */
public class BatchingJobExecutor extends SpringJobExecutor {

  private static final Logger log = LoggerFactory.getLogger(BatchingJobExecutor.class);

  private final int batchSize;
  private final AtomicLong batchesCommitted = new AtomicLong();
  private final AtomicLong jobsInCommittedBatches = new AtomicLong();
  private final AtomicLong batchesRolledBack = new AtomicLong();

  public BatchingJobExecutor(int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("relais.jobs.batch-size must be at least 1, was " + batchSize);
    }
    this.batchSize = batchSize;
  }

  public int getBatchSize() {
    return batchSize;
  }

  /**
   * Set while a transaction whose jobs all ran in it completes on this thread: its commit must not
   * wake the acquisition, which would look for those jobs and find nothing.
   */
  private static final ThreadLocal<Boolean> NO_JOB_LEFT = new ThreadLocal<>();

  /**
   * Declares that the current transaction leaves no job for the executor to take soon: every job
   * it created due now ran in it (a reply's next steps, run with its routing). The engine hinted
   * at each of them as it created it, and would wake the acquisition at the commit to look for
   * them; this commit does not. Without an active transaction it does nothing.
   */
  public static void noJobLeftInThisTransaction() {
    if (!TransactionSynchronizationManager.isSynchronizationActive() || NO_JOB_LEFT.get() != null) {
      return;
    }
    NO_JOB_LEFT.set(Boolean.TRUE);
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCompletion(int status) {
        NO_JOB_LEFT.remove();
      }
    });
  }

  /** The engine's hint that a job was added, unless this thread's transaction left none ({@link #noJobLeftInThisTransaction}). */
  @Override
  public void jobWasAdded() {
    if (NO_JOB_LEFT.get() == null) {
      super.jobWasAdded();
    }
  }

  /** Batches of more than one job committed together. */
  public long batchesCommitted() {
    return batchesCommitted.get();
  }

  /** Jobs run in those batches. */
  public long jobsInCommittedBatches() {
    return jobsInCommittedBatches.get();
  }

  /** Batches rolled back and run again job by job. */
  public long batchesRolledBack() {
    return batchesRolledBack.get();
  }

  /**
   * The engine's acquisition, its journeys' lists of timer jobs joined into lists of up to
   * {@code batchSize} jobs under a backlog ({@link Joined}). A journey's list is never split.
   */
  @Override
  public Command<AcquiredJobs> getAcquireJobsCmd(int numJobs) {
    Command<AcquiredJobs> acquire = super.getAcquireJobsCmd(numJobs);
    if (batchSize == 1) {
      return acquire;
    }
    return commandContext -> {
      ManagementService management = commandContext.getProcessEngineConfiguration().getManagementService();
      return new Joined(acquire.execute(commandContext), batchSize,
          ids -> management.createJobQuery().jobIds(ids).timers().list().stream().map(Job::getId).collect(Collectors.toSet()));
    };
  }

  @Override
  public Runnable getExecuteJobsRunnable(List<String> jobIds, ProcessEngineImpl processEngine) {
    if (jobIds instanceof Batch batch) {
      return () -> runBatch(batch, processEngine);
    }
    return super.getExecuteJobsRunnable(jobIds, processEngine);
  }

  private void runBatch(Batch jobIds, ProcessEngineImpl processEngine) {
    if (!isActive()) {
      new ExecuteJobsRunnable(jobIds, processEngine).run(); // unlocks them
      return;
    }
    List<String> alone = jobIds;
    ProcessEngineConfigurationImpl configuration = processEngine.getProcessEngineConfiguration();
    JobExecutorContext context = new JobExecutorContext();
    Context.setJobExecutorContext(context);
    try {
      List<String> left = configuration.getCommandExecutorTxRequired()
          .execute(new ExecuteBatchCmd(jobIds, System.nanoTime() + getLockTimeInMillis() * 1_000_000L / 4));
      int ran = jobIds.size() - left.size();
      if (ran > 1) {
        batchesCommitted.incrementAndGet();
        jobsInCommittedBatches.addAndGet(ran);
      }
      if (configuration.isMetricsEnabled()) {
        configuration.getMetricsRegistry().markOccurrence(Metrics.JOB_SUCCESSFUL, ran);
      }
      // the jobs a slow batch left (their locks would not outlast it), then the exclusive jobs
      // the batch created for its own journeys, locked to this executor: as the engine does
      alone = new ArrayList<>(left);
      alone.addAll(context.getCurrentProcessorJobQueue());
    } catch (Throwable t) {
      batchesRolledBack.incrementAndGet();
      log.debug("A batch of {} jobs rolled back ({}); running them one by one", jobIds.size(), t.toString());
    } finally {
      Context.removeJobExecutorContext();
    }
    // the engine's own path: one transaction per job, its failure handling, its unlock when stopping
    new ExecuteJobsRunnable(alone, processEngine).run();
  }

  /**
   * Each timer job as the engine's {@link ExecuteJobsCmd} runs it, all in the caller's command
   * context, until the first job that is not a timer (the acquisition joins timers only; should
   * another job be there, an asynchronous continuation whose answer someone may be waiting for, it
   * runs alone and commits at once) or {@code deadline} (a quarter of the lock time after the
   * start: slow provider calls must not keep the batch's last jobs past their locks). Answers the
   * jobs not run.
   */
  record ExecuteBatchCmd(List<String> jobIds, long deadline) implements Command<List<String>> {
    @Override
    public List<String> execute(CommandContext commandContext) {
      // the batch's jobs in one statement instead of one each: the engine's command for each job
      // (and the check below) then finds its job in this command's entity cache; so does the
      // engine's state of their journeys, read a table at a time (JourneyPrefetch)
      JobQueryImpl batch = new JobQueryImpl();
      batch.jobIds(new HashSet<>(jobIds));
      JourneyPrefetch.prefetch(commandContext, commandContext.getJobManager().findJobsByQueryCriteria(batch, null));
      for (int i = 0; i < jobIds.size(); i++) {
        String jobId = jobIds.get(i);
        JobEntity job = commandContext.getDbEntityManager().selectById(JobEntity.class, jobId);
        if ((job != null && !(job instanceof TimerEntity)) || (i > 0 && System.nanoTime() - deadline > 0)) {
          return jobIds.subList(i, jobIds.size());
        }
        try {
          new ExecuteJobsCmd(jobId, new JobFailureCollector(jobId)).execute(commandContext);
        } catch (RuntimeException e) {
          // the job's own failure (with its stack trace) is logged once, when it runs again alone
          throw new BatchRolledBack("A batch of " + jobIds.size() + " jobs rolled back: job " + jobId + " failed ("
              + e + "); its jobs run again one by one");
        }
      }
      return List.of();
    }
  }

  /**
   * Why a batch rolled back, without the job's stack trace (logged when the job runs alone). An
   * {@link OptimisticLockingException}, as a batch that meets a concurrent change at its commit
   * already fails with: the engine logs both at debug level, not as an error (ENGINE-16004), since
   * each of the batch's jobs runs again alone and only a job's own failure is one. Nothing but
   * {@link #runBatch} sees it: the batch's command throws it and the batch catches it.
   */
  static final class BatchRolledBack extends OptimisticLockingException {
    BatchRolledBack(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // the message says all; the job's own stack is logged when it runs alone
    }
  }

  /**
   * An acquisition's result, read through: its journeys' lists of timer jobs joined when the
   * acquisition thread asks for them, after the acquisition's commit, so that a job another node
   * locked first (removed from the result at that commit) is not among them. Joined only when the
   * acquisition came back full: more jobs were due than it could take, a backlog, where what counts
   * is how many jobs a second the executor gets through. The other lists (asynchronous
   * continuations: a reply's next steps) stay as the engine made them, each run alone on a thread
   * of its own, and no one waiting for an answer waits for a batch.
   */
  static final class Joined extends AcquiredJobs {
    private final AcquiredJobs acquired;
    private final int batchSize;
    private final UnaryOperator<Set<String>> timersAmong;
    private List<List<String>> lists;
    private boolean joined;

    /** @param timersAmong which of these job ids are timers (asked after the acquisition's commit) */
    Joined(AcquiredJobs acquired, int batchSize, UnaryOperator<Set<String>> timersAmong) {
      super(acquired.getNumberOfJobsAttemptedToAcquire());
      this.acquired = acquired;
      this.batchSize = batchSize;
      this.timersAmong = timersAmong;
    }

    @Override
    public List<List<String>> getJobIdBatches() {
      if (lists == null) {
        lists = joinTimers();
      }
      return lists;
    }

    /** The journeys' lists of timers joined (in order); the others as the engine made them. */
    private List<List<String>> joinTimers() {
      List<List<String>> engines = acquired.getJobIdBatches();
      boolean backlog = acquired.size() + acquired.getNumberOfJobsFailedToLock() >= acquired.getNumberOfJobsAttemptedToAcquire();
      if (!backlog || engines.size() < 2) {
        return engines;
      }
      Set<String> ids = new HashSet<>();
      engines.forEach(ids::addAll);
      Set<String> timers = timersAmong.apply(ids);
      List<List<String>> timerLists = new ArrayList<>();
      List<List<String>> result = new ArrayList<>();
      for (List<String> list : engines) {
        (timers.containsAll(list) ? timerLists : result).add(list);
      }
      result.addAll(join(timerLists, batchSize));
      joined = true;
      return result;
    }

    @Override
    public void addJobIdBatch(List<String> batch) {
      acquired.addJobIdBatch(batch);
    }

    @Override
    public void addJobIdBatch(String jobId) {
      acquired.addJobIdBatch(jobId);
    }

    @Override
    public boolean contains(String jobId) {
      return acquired.contains(jobId);
    }

    @Override
    public int size() {
      return acquired.size();
    }

    @Override
    public void removeJobId(String jobId) {
      acquired.removeJobId(jobId);
    }

    @Override
    public int getNumberOfJobsFailedToLock() {
      return acquired.getNumberOfJobsFailedToLock();
    }

    /**
     * What the engine's acquisition strategy compares the lists with: once a full acquisition's
     * timers were joined, the number of lists handed out. The strategy counts lists, not jobs,
     * against it ({@code JobAcquisitionContext.areAllEnginesIdle}): eight timers joined into one
     * list would read as one job of eight attempted, an idle engine, and the acquisition would
     * sleep its idle wait ({@code wait-time-in-millis}) until a batch's end woke it. Under a
     * backlog the acquisition must go on taking jobs while there are threads and queue room for
     * them, as it does for jobs that are not joined.
     */
    @Override
    public int getNumberOfJobsAttemptedToAcquire() {
      return joined ? lists.size() : acquired.getNumberOfJobsAttemptedToAcquire();
    }
  }

  /**
   * Lists joined in order into lists of up to {@code size} ids; a list longer than that stays whole.
   * A list made of more than one is a {@link Batch}.
   */
  static List<List<String>> join(List<List<String>> lists, int size) {
    List<List<String>> joined = new ArrayList<>();
    List<List<String>> current = new ArrayList<>();
    int ids = 0;
    for (List<String> list : lists) {
      if (!current.isEmpty() && ids + list.size() > size) {
        joined.add(joinedList(current));
        current = new ArrayList<>();
        ids = 0;
      }
      current.add(list);
      ids += list.size();
    }
    if (!current.isEmpty()) {
      joined.add(joinedList(current));
    }
    return joined;
  }

  private static List<String> joinedList(List<List<String>> parts) {
    return parts.size() == 1 ? parts.get(0) : new Batch(parts);
  }

  /** The job ids of several of the engine's lists (one per journey), to run in one transaction. */
  static final class Batch extends ArrayList<String> {
    Batch(List<List<String>> parts) {
      parts.forEach(this::addAll);
    }
  }
}
