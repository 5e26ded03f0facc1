package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.relais.RelaisApplication;
import io.relais.contact.ContactInput;
import io.relais.contact.ContactRegistry;
import io.relais.outbound.InlineSendSteps;
import io.relais.reliability.MockProviders;
import io.relais.support.Await;
import io.relais.support.EngineRegistry;
import io.relais.support.PostgresDatabase;
import io.relais.support.TestModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.jobexecutor.AcquiredJobs;
import org.camunda.bpm.engine.impl.jobexecutor.BackoffJobAcquisitionStrategy;
import org.camunda.bpm.engine.impl.jobexecutor.JobAcquisitionContext;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The job executor as it runs in production, with its batches ({@link BatchingJobExecutor}): the
 * timers of 64 journeys fall due together (the day after a campaign); the executor takes them 32
 * at a time, a backlog, and runs them eight to a transaction. Three of the journeys fail after
 * their send step: their batches roll back, the messages the batch had written with them, and run
 * again job by job. The 61 others go on with exactly one SMS each; the three fail as a job alone
 * fails (retries, the failure recorded on the job) with no SMS, and once the cause is gone their
 * retry sends it, once. On PostgreSQL and on the embedded H2.
 */
@ExtendWith(OutputCaptureExtension.class)
class BatchedJobsTest {

  static final int JOURNEYS = 64;
  /** The customers whose journeys fail after their send step. */
  static final List<Integer> FAILING = List.of(3, 30, 60);
  static final String STEP = "Call_Send";

  /** A step after the send that fails for the journeys of the contacts listed. */
  public static class FailAfterSend implements JavaDelegate {
    static final Set<String> CONTACTS = ConcurrentHashMap.newKeySet();

    @Override
    public void execute(DelegateExecution execution) {
      if (CONTACTS.contains(execution.getBusinessKey())) {
        throw new IllegalStateException("failure after the send");
      }
    }
  }

  @TempDir Path tmp;

  @AfterEach
  void clear() {
    FailAfterSend.CONTACTS.clear();
  }

  @Test
  void timersFallingDueTogetherRunInBatchesOnPostgres(CapturedOutput output) {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      timersFallingDueTogether(db.productionProfileProperties(), "postgres");
    }
    aRolledBackBatchIsNoErrorInTheLog(output);
  }

  @Test
  void timersFallingDueTogetherRunInBatchesOnH2(CapturedOutput output) {
    timersFallingDueTogether(Map.of("spring.datasource.url", "jdbc:h2:file:" + tmp.resolve("db/relais")));
    aRolledBackBatchIsNoErrorInTheLog(output);
  }

  /**
   * The same backlog with Twilio (the real SDK against a mock on loopback): the batches write the
   * messages QUEUED with their jobs and make no provider call; the outbox hands each over once its
   * batch committed. The mock receives one SMS per customer whose timer went on, none for the
   * failing ones while their jobs fail, and theirs, once, after their retry.
   */
  @Test
  void timersFallingDueTogetherReachTwilioThroughTheOutboxOnPostgres(CapturedOutput output) {
    try (PostgresDatabase db = PostgresDatabase.create(); MockProviders twilio = new MockProviders()) {
      Map<String, Object> props = new HashMap<>(db.productionProfileProperties());
      props.putAll(twilio.relaisProperties());
      timersFallingDueTogether(props, twilio, "postgres");
    }
    aRolledBackBatchIsNoErrorInTheLog(output);
  }

  /**
   * A batch that rolls back is not an error an operator must read: its jobs run again alone, and
   * only the failing job's own failure is logged as one (checked after batches did roll back).
   */
  private static void aRolledBackBatchIsNoErrorInTheLog(CapturedOutput output) {
    assertThat(output.getAll()).contains("failure after the send").doesNotContain("jobs rolled back: job");
  }

  private void timersFallingDueTogether(Map<String, Object> base, String... profiles) {
    timersFallingDueTogether(base, null, profiles);
  }

  /** @param twilio the mock Twilio the node sends to, or null for the simulator */
  private void timersFallingDueTogether(Map<String, Object> base, MockProviders twilio, String... profiles) {
    Map<String, Object> props = new HashMap<>(base);
    props.put("relais.processes-dir", "processes");
    props.put("relais.forms-dir", "forms");
    props.put("camunda.bpm.job-execution.enabled", "true");
    props.put("camunda.bpm.job-execution.max-jobs-per-acquisition", "32");
    props.put("relais.jobs.batch-size", "8");
    String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    try (EngineRegistry kept = EngineRegistry.kept();
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(RelaisApplication.class).profiles(profiles).run(args)) {
      checkBatches(ctx, twilio);
    }
  }

  private void checkBatches(ConfigurableApplicationContext ctx, MockProviders twilio) {
    RuntimeService runtime = ctx.getBean(RuntimeService.class);
    ManagementService management = ctx.getBean(ManagementService.class);
    JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
    BatchingJobExecutor executor = (BatchingJobExecutor) ctx.getBean(JobExecutor.class);
    assertThat(executor.getBatchSize()).isEqualTo(8);

    String journey = deploy(ctx.getBean(RepositoryService.class));
    String run = UUID.randomUUID().toString().substring(0, 8);
    List<String> contactIds = new ArrayList<>();
    for (int i = 0; i < JOURNEYS; i++) {
      String id = "batch-" + run + "-" + i;
      ctx.getBean(ContactRegistry.class).save(new ContactInput(id, phone(i), null,
          "Chloé", null, null, null, null, null, null, null));
      contactIds.add(id);
      runtime.createProcessInstanceByKey(journey).businessKey(id)
          .setVariable("channel", "SMS").setVariable("category", "SERVICE")
          .setVariable("text", "Votre commande est prête").execute();
    }
    Set<String> failing = FAILING.stream().map(contactIds::get).collect(Collectors.toSet());
    FailAfterSend.CONTACTS.addAll(failing);

    // the day after: every timer due at once
    int due = jdbc.update("update act_ru_job set duedate_ = ? where process_def_key_ = ?",
        new java.sql.Timestamp(System.currentTimeMillis() - 1000), journey);
    assertThat(due).isEqualTo(JOURNEYS);
    executor.jobWasAdded();

    Await.until("the 61 journeys at the next wait and the 3 failures recorded", Duration.ofSeconds(90), () ->
        runtime.createExecutionQuery().processDefinitionKey(journey).activityId("Wait_Next").count() == JOURNEYS - 3
            && management.createJobQuery().processDefinitionKey(journey).withException().count() == 3);

    Map<String, Long> smsPerContact = new HashMap<>();
    jdbc.query("select contact_id, count(*) from message where direction = 'OUT' and channel = 'SMS' and contact_id like ? group by contact_id",
        rs -> {
          smsPerContact.put(rs.getString(1), rs.getLong(2));
        }, "batch-" + run + "-%");
    // a send is written with the job that reaches it: the failing jobs rolled theirs back, and
    // nothing of them reached a provider
    assertThat(smsPerContact).as("one SMS per customer whose timer went on, none for the failing ones")
        .hasSize(JOURNEYS - failing.size()).doesNotContainKeys(failing.toArray(String[]::new)).allSatisfy((c, n) -> assertThat(n).isOne());
    if (twilio != null) {
      Await.until("an SMS at Twilio for each of the 61", Duration.ofSeconds(60), () -> twilio.smsByRecipient().size() >= JOURNEYS - 3);
      assertThat(twilio.smsByRecipient()).as("SMS accepted by Twilio per recipient").hasSize(JOURNEYS - 3)
          .doesNotContainKeys(FAILING.stream().map(BatchedJobsTest::phone).toArray(String[]::new)).allSatisfy((to, n) -> assertThat(n).isOne());
    }
    assertThat(executor.batchesCommitted()).as("batches committed").isPositive();
    assertThat(executor.jobsInCommittedBatches()).as("jobs run in batches").isGreaterThan(executor.batchesCommitted());
    assertThat(executor.batchesRolledBack()).as("batches rolled back by a failing job").isPositive();
    MeterRegistry meters = ctx.getBean(MeterRegistry.class);
    assertThat(meters.get(JobExecutionConfiguration.BATCHES).tag("outcome", "committed").functionCounter().count())
        .isEqualTo(executor.batchesCommitted());
    assertThat(meters.get(JobExecutionConfiguration.BATCHES).tag("outcome", "rolled-back").functionCounter().count())
        .isEqualTo(executor.batchesRolledBack());
    assertThat(meters.get(JobExecutionConfiguration.BATCHED_JOBS).functionCounter().count()).isEqualTo(executor.jobsInCommittedBatches());
    JourneyPrefetch prefetch = ctx.getBean(JourneyPrefetch.class);
    assertThat(prefetch.journeysRead()).as("journeys whose engine state a batch read at once").isPositive();
    assertThat(meters.get(JobExecutionConfiguration.PREFETCHED).functionCounter().count()).isEqualTo(prefetch.journeysRead());

    List<Job> failed = management.createJobQuery().processDefinitionKey(journey).withException().list();
    assertThat(failed).allSatisfy(job -> {
      assertThat(job.getExceptionMessage()).contains("failure after the send");
      assertThat(job.getRetries()).isLessThan(5);
    });
    assertThat(failed.stream().map(j -> runtime.createProcessInstanceQuery().processInstanceId(j.getProcessInstanceId())
        .singleResult().getBusinessKey())).containsExactlyInAnyOrderElementsOf(failing);

    // the cause gone, the retries send each failing customer's SMS once
    FailAfterSend.CONTACTS.clear();
    failed.forEach(job -> management.executeJob(job.getId()));
    assertThat(runtime.createExecutionQuery().processDefinitionKey(journey).activityId("Wait_Next").count()).isEqualTo(JOURNEYS);
    assertThat(jdbc.queryForList("select contact_id from message where direction = 'OUT' and contact_id like ?", String.class,
        "batch-" + run + "-%")).as("one message per customer").hasSize(JOURNEYS).doesNotHaveDuplicates();
    if (twilio != null) {
      Await.until("an SMS at Twilio for all 64", Duration.ofSeconds(60), () -> twilio.smsByRecipient().size() >= JOURNEYS);
      assertThat(twilio.smsByRecipient()).as("SMS accepted by Twilio per recipient, after the retries").hasSize(JOURNEYS)
          .allSatisfy((to, n) -> assertThat(n).isOne());
      Await.until("every message settled as sent", Duration.ofSeconds(30), () -> jdbc.queryForObject(
          "select count(*) from message where direction = 'OUT' and status = 'SENT' and contact_id like ?", Long.class,
          "batch-" + run + "-%") == JOURNEYS);
    }
  }

  @Test
  void anAcquisitionsListsAreJoinedInOrderWithoutSplittingAJourneysList() {
    List<List<String>> lists = List.of(List.of("a"), List.of("b1", "b2", "b3"), List.of("c"), List.of("d"), List.of("e1", "e2"),
        List.of("f1", "f2", "f3", "f4", "f5"), List.of("g"));
    assertThat(BatchingJobExecutor.join(lists, 4)).containsExactly(
        List.of("a", "b1", "b2", "b3"), List.of("c", "d", "e1", "e2"), List.of("f1", "f2", "f3", "f4", "f5"), List.of("g"));
    assertThat(BatchingJobExecutor.join(lists, 1)).hasSize(lists.size());
    assertThat(BatchingJobExecutor.join(List.of(), 8)).isEmpty();
  }

  @Test
  void onlyTheTimersOfAFullAcquisitionABacklogAreJoined() {
    AcquiredJobs full = new AcquiredJobs(5);
    List.of("t1", "t2", "c1", "t3", "t4").forEach(full::addJobIdBatch);
    UnaryOperator<Set<String>> timers = ids -> ids.stream().filter(id -> id.startsWith("t")).collect(Collectors.toSet());
    assertThat(new BatchingJobExecutor.Joined(full, 2, timers).getJobIdBatches())
        .as("the continuation alone, the timers two by two").containsExactly(List.of("c1"), List.of("t1", "t2"), List.of("t3", "t4"));
    AcquiredJobs some = new AcquiredJobs(5);
    List.of("t1", "t2", "t3").forEach(some::addJobIdBatch);
    assertThat(new BatchingJobExecutor.Joined(some, 2, timers).getJobIdBatches()).containsExactly(List.of("t1"), List.of("t2"), List.of("t3"));
  }

  /**
   * The engine's own acquisition strategy, as the acquisition thread runs it after each cycle: a
   * full acquisition whose eight timers ran as one batch must not read as an idle engine (it
   * would wait its idle time, five seconds, until some batch's end woke it, and under a burst the
   * executor's threads would wait for work while timers are due); one that found fewer jobs than
   * it asked for still does.
   */
  @Test
  void aFullAcquisitionRunAsOneBatchKeepsTheAcquisitionGoing() {
    UnaryOperator<Set<String>> allTimers = ids -> ids;
    AcquiredJobs full = new AcquiredJobs(8);
    List.of("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7").forEach(full::addJobIdBatch);
    BatchingJobExecutor.Joined batch = new BatchingJobExecutor.Joined(full, 8, allTimers);
    assertThat(batch.getJobIdBatches()).hasSize(1);
    assertThat(nextWait(batch)).as("wait before the next acquisition, under a backlog").isZero();

    AcquiredJobs some = new AcquiredJobs(8);
    List.of("t0", "t1", "t2").forEach(some::addJobIdBatch);
    BatchingJobExecutor.Joined few = new BatchingJobExecutor.Joined(some, 8, allTimers);
    assertThat(few.getJobIdBatches()).hasSize(3);
    assertThat(nextWait(few)).as("wait before the next acquisition, after one that found fewer jobs than asked").isEqualTo(5000);
  }

  /** The wait the engine's strategy (the starter's defaults: 5 s idle, 8 jobs) sets after a cycle that acquired these jobs. */
  private static long nextWait(AcquiredJobs acquired) {
    BackoffJobAcquisitionStrategy strategy = new BackoffJobAcquisitionStrategy(5000, 2, 5000, 50, 2, 500, 3, 8);
    JobAcquisitionContext cycle = new JobAcquisitionContext();
    cycle.submitAcquiredJobs("default", acquired);
    strategy.reconfigure(cycle);
    return strategy.getWaitTime();
  }

  /** start, a one-hour timer, the send step (inline, in the timer's job), a step that may fail, a wait. */
  private static String phone(int customer) {
    return String.format(Locale.ROOT, "+336%08d", customer);
  }

  private static String deploy(RepositoryService repository) {
    String key = "batched-" + UUID.randomUUID().toString().substring(0, 8);
    BpmnModelInstance model = Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent()
        .intermediateCatchEvent("Timer_Wait").timerWithDuration("PT1H")
        .callActivity(STEP).calledElement(InlineSendSteps.CALLED_ELEMENT).camundaAsyncBefore()
        .camundaIn("channel", "channel").camundaIn("category", "category").camundaIn("text", "text")
        .camundaOut("sendOutcome", "sendOutcome")
        .serviceTask("Task_After").camundaClass(FailAfterSend.class.getName())
        .receiveTask("Wait_Next")
        .endEvent()
        .done();
    TestModels.passingBusinessKey(model, STEP);
    repository.createDeployment().addModelInstance(key + ".bpmn", model).deploy();
    return key;
  }
}
