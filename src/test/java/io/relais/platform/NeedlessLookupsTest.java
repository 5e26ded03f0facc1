package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.history.HistoricIncident;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A job that completes runs no incident look-up, a message subscription removed no look-up of
 * asynchronous event jobs; a job's incident is still resolved when its retries are raised and the
 * job then runs, and deleted with its journey. Each on a standalone engine (H2) whose connections
 * count the statements that read the incident table and the jobs by configuration.
 */
class NeedlessLookupsTest {

  private final AtomicInteger incidentReads = new AtomicInteger();
  private final AtomicInteger jobReadsByConfiguration = new AtomicInteger();
  private final AtomicInteger jobReadsById = new AtomicInteger();
  private final AtomicInteger jobQueries = new AtomicInteger();
  private ProcessEngine engine;

  @AfterEach
  void close() {
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void aJobThatCompletesReadsNoIncident() {
    engine = engine(true);
    runAJobToItsEnd();
    assertThat(incidentReads).as("statements reading ACT_RU_INCIDENT").hasValue(0);
  }

  @Test
  void theEnginesOwnHandlerReadsTheIncidentsOfEveryJob() {
    engine = engine(false);
    runAJobToItsEnd();
    assertThat(incidentReads.get()).as("what the handler saves").isPositive();
  }

  /** A job that succeeds, from a fresh count of the statements. */
  private void runAJobToItsEnd() {
    String pid = start(false);
    incidentReads.set(0);
    engine.getManagementService().executeJob(job(pid).getId());
    assertThat(engine.getTaskService().createTaskQuery().processInstanceId(pid).count()).isEqualTo(1);
  }

  @Test
  void aMessageSubscriptionIsRemovedWithoutLookingForEventJobs() {
    engine = engine(true);
    String pid = takeTheGatewaysMessageBranch();
    assertThat(engine.getRuntimeService().createEventSubscriptionQuery().processInstanceId(pid).count()).isZero();
    assertThat(engine.getManagementService().createJobQuery().processInstanceId(pid).count()).as("the gateway's timer").isZero();
    assertThat(jobReadsByConfiguration).hasValue(0);
  }

  @Test
  void theEnginesOwnManagerLooksForEventJobsAtEachRemoval() {
    engine = engine(false);
    takeTheGatewaysMessageBranch();
    assertThat(jobReadsByConfiguration.get()).as("what the manager saves").isPositive();
  }

  /** An event-based gateway left by its message, from a fresh count of the statements. */
  private String takeTheGatewaysMessageBranch() {
    String pid = engine.getRuntimeService().startProcessInstanceByKey("gateway").getId();
    jobReadsByConfiguration.set(0);
    engine.getRuntimeService().createMessageCorrelation("Go").processInstanceId(pid).correlate();
    assertThat(engine.getTaskService().createTaskQuery().processInstanceId(pid).singleResult().getTaskDefinitionKey())
        .isEqualTo("Task_Went");
    return pid;
  }

  /**
   * A batch of timers (the day after a campaign) reads its jobs in one statement, not one per job,
   * and runs them all: each journey leaves its gateway by the timer.
   */
  @Test
  void aBatchReadsItsJobsInOneStatement() {
    engine = engine(true);
    List<String> journeys = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      journeys.add(engine.getRuntimeService().startProcessInstanceByKey("gateway").getId());
    }
    List<String> timers = journeys.stream().map(pid -> job(pid).getId()).toList();
    jobReadsById.set(0);
    jobQueries.set(0);

    List<String> left = OneBatch.run(engine, timers);

    assertThat(left).isEmpty();
    for (String pid : journeys) {
      assertThat(engine.getTaskService().createTaskQuery().processInstanceId(pid).singleResult().getTaskDefinitionKey())
          .isEqualTo("Task_Late");
    }
    assertThat(jobReadsById).as("jobs read one by one").hasValue(0);
    assertThat(jobQueries).as("statements reading the batch's jobs").hasValue(1);
  }

  @Test
  void anIncidentIsResolvedWhenTheRetriesAreRaisedAndTheJobThenRuns() {
    engine = engine(true);
    String pid = start(true);
    failUntilIncident(pid);

    engine.getRuntimeService().setVariable(pid, "fail", false);
    engine.getManagementService().setJobRetries(job(pid).getId(), 1);
    assertThat(engine.getRuntimeService().createIncidentQuery().processInstanceId(pid).count()).isZero();
    engine.getManagementService().executeJob(job(pid).getId());

    assertThat(engine.getTaskService().createTaskQuery().processInstanceId(pid).count()).isEqualTo(1);
    assertThat(engine.getRuntimeService().createIncidentQuery().count()).isZero();
    HistoricIncident historic = engine.getHistoryService().createHistoricIncidentQuery().processInstanceId(pid).singleResult();
    assertThat(historic.isResolved()).isTrue();
  }

  @Test
  void anIncidentIsDeletedWithItsJourney() {
    engine = engine(true);
    String pid = start(true);
    failUntilIncident(pid);

    engine.getRuntimeService().deleteProcessInstance(pid, "test");

    assertThat(engine.getRuntimeService().createIncidentQuery().count()).isZero();
    HistoricIncident historic = engine.getHistoryService().createHistoricIncidentQuery().processInstanceId(pid).singleResult();
    assertThat(historic.isDeleted()).isTrue();
  }

  private void failUntilIncident(String pid) {
    for (int i = 0; i < 3; i++) {
      String jobId = job(pid).getId();
      assertThatThrownBy(() -> engine.getManagementService().executeJob(jobId)).hasMessageContaining("fail");
    }
    assertThat(job(pid).getRetries()).isZero();
    assertThat(engine.getRuntimeService().createIncidentQuery().processInstanceId(pid).count()).isEqualTo(1);
  }

  private String start(boolean fail) {
    return engine.getRuntimeService().startProcessInstanceByKey("incidents", Map.of("fail", fail)).getId();
  }

  private Job job(String pid) {
    return engine.getManagementService().createJobQuery().processInstanceId(pid).singleResult();
  }

  private ProcessEngine engine(boolean skip) {
    ProcessEngineConfigurationImpl config = SelectRecording.engine("failed-job-incidents", this::count);
    config.setProcessEnginePlugins(List.of(new NeedlessLookups(skip)));
    ProcessEngine built = config.buildProcessEngine();
    BpmnModelInstance model = Bpmn.createExecutableProcess("incidents")
        .startEvent()
        .serviceTask("Task_MayFail").camundaAsyncBefore()
        .camundaClass(FailWhenAsked.class.getName())
        .userTask("Task_After")
        .endEvent()
        .done();
    BpmnModelInstance gateway = Bpmn.createExecutableProcess("gateway")
        .startEvent()
        .eventBasedGateway().id("Gateway")
        .intermediateCatchEvent("Event_Go").message("Go").userTask("Task_Went").endEvent()
        .moveToNode("Gateway")
        .intermediateCatchEvent("Event_Late").timerWithDuration("PT1H").userTask("Task_Late").endEvent()
        .done();
    built.getRepositoryService().createDeployment().addModelInstance("incidents.bpmn", model)
        .addModelInstance("gateway.bpmn", gateway).deploy();
    return built;
  }

  /** Fails while the journey's variable {@code fail} is true. */
  public static class FailWhenAsked implements JavaDelegate {
    @Override
    public void execute(DelegateExecution execution) {
      if (Boolean.TRUE.equals(execution.getVariable("fail"))) {
        throw new IllegalStateException("asked to fail");
      }
    }
  }

  /** The engine's selects counted by what they read. */
  private void count(String sql) {
    String upper = sql.toUpperCase();
    if (upper.contains("FROM ACT_RU_INCIDENT")) {
      incidentReads.incrementAndGet();
    }
    if (upper.contains("FROM ACT_RU_JOB") && upper.contains("HANDLER_CFG_")) {
      jobReadsByConfiguration.incrementAndGet();
    }
    String flat = upper.replaceAll("\\s+", " ");
    if (flat.contains("FROM ACT_RU_JOB WHERE ID_ =")) {
      jobReadsById.incrementAndGet();
    }
    if (flat.contains("FROM ACT_RU_JOB RES")) {
      jobQueries.incrementAndGet();
    }
  }
}
