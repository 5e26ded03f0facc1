package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A batch of timers reads its journeys' engine state a table at a time ({@link JourneyPrefetch}):
 * the batch's statements do not grow with its journeys, where the engine's own reads, journey by
 * journey, do. And the journeys go on exactly as without it: each leaves its event-based gateway by
 * the timer, inside a tree of concurrent executions, reads and writes its variables, keeps its
 * other branch's task, and its history records the gateway's start time, end and duration. On a
 * standalone engine (H2, full history) whose connections record the statements.
 */
class JourneyPrefetchTest {

  private final List<String> selects = new CopyOnWriteArrayList<>();
  private ProcessEngine engine;

  @AfterEach
  void close() {
    ClockUtil.reset();
    if (engine != null) {
      engine.close();
    }
  }

  @Test
  void aBatchReadsItsJourneysInAFixedNumberOfStatements() {
    engine = engine(true);
    int four = selectsOfABatchOf(4);
    int eight = selectsOfABatchOf(8);
    assertThat(eight).as("statements of a batch of 8 journeys, against a batch of 4 (%d)", four).isEqualTo(four);
    assertThat(perJourneyReads()).as("the engine's reads of one journey's state, in the last batch").isEmpty();
  }

  @Test
  void theEnginesOwnReadsGrowWithTheJourneys() {
    engine = engine(false);
    int four = selectsOfABatchOf(4);
    int eight = selectsOfABatchOf(8);
    assertThat(eight - four).as("statements of a batch of 8 journeys, less those of a batch of 4").isGreaterThanOrEqualTo(4 * 5);
    // the timer's execution, its jobs, subscriptions and variables, the gateway's start time
    assertThat(perJourneyReads()).as("what the batch's reads save").hasSizeGreaterThanOrEqualTo(8 * 5);
  }

  @Test
  void theJourneysGoOnAsWithoutIt() {
    engine = engine(true);
    Map<String, Object> with = outcomeOfABatch();
    engine.close();
    engine = engine(false);
    Map<String, Object> without = outcomeOfABatch();
    assertThat(with).isEqualTo(without);
  }

  /** Starts journeys, runs their timers as one batch, answers the statements the batch ran. */
  private int selectsOfABatchOf(int journeys) {
    List<String> timers = new ArrayList<>();
    for (int i = 0; i < journeys; i++) {
      timers.add(timerOf(start(i)).getId());
    }
    selects.clear();
    runBatch(timers);
    // less the id generator's read of its next block of ids (one per 100 ids, whatever the batch)
    return (int) selects.stream().filter(sql -> !sql.contains("FROM ACT_GE_PROPERTY")).count();
  }

  /** What 8 journeys look like after their timers ran in one batch, each journey by its number. */
  private Map<String, Object> outcomeOfABatch() {
    ClockUtil.setCurrentTime(new Date(1_800_000_000_000L));
    List<String> journeys = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      journeys.add(start(i));
    }
    ClockUtil.setCurrentTime(new Date(1_800_000_000_000L + 3_600_000L + 5_000L));
    runBatch(journeys.stream().map(pid -> timerOf(pid).getId()).toList());

    Map<String, Object> outcome = new HashMap<>();
    for (int i = 0; i < journeys.size(); i++) {
      String pid = journeys.get(i);
      outcome.put(i + " tasks", engine.getTaskService().createTaskQuery().processInstanceId(pid).orderByTaskName().asc().list()
          .stream().map(task -> task.getTaskDefinitionKey()).toList());
      outcome.put(i + " variables", new HashMap<>(engine.getRuntimeService().getVariables(pid)));
      outcome.put(i + " subscriptions", engine.getRuntimeService().createEventSubscriptionQuery().processInstanceId(pid).count());
      outcome.put(i + " jobs", engine.getManagementService().createJobQuery().processInstanceId(pid).count());
      outcome.put(i + " executions", engine.getRuntimeService().createExecutionQuery().processInstanceId(pid).count());
      HistoricActivityInstance gateway = engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(pid)
          .activityId("Gateway").singleResult();
      outcome.put(i + " gateway", List.of(gateway.getStartTime().getTime(), gateway.getEndTime().getTime(), gateway.getDurationInMillis()));
      outcome.put(i + " activities", engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(pid)
          .finished().count());
    }
    assertThat(outcome.get("0 tasks")).as("the timer's branch and the other").isEqualTo(List.of("Task_Late", "Task_Other"));
    assertThat(outcome.get("5 variables")).isEqualTo(Map.of("n", 5, "seen", 6));
    assertThat(outcome.get("5 gateway")).isEqualTo(List.of(1_800_000_000_000L, 1_800_003_605_000L, 3_605_000L));
    return outcome;
  }

  private void runBatch(List<String> timers) {
    List<String> left = OneBatch.run(engine, timers);
    List<String> ofTheBatch = List.copyOf(selects);
    assertThat(left).isEmpty();
    assertThat(engine.getManagementService().createJobQuery().jobIds(new HashSet<>(timers)).count()).isZero();
    selects.clear();
    selects.addAll(ofTheBatch);
  }

  /** The statements that read one journey's state, one execution or activity instance at a time. */
  private List<String> perJourneyReads() {
    return selects.stream().map(sql -> sql.replaceAll("\\s+", " "))
        .filter(sql -> sql.contains("FROM ACT_RU_EXECUTION WHERE ID_ =")
            || sql.contains("FROM ACT_RU_EXECUTION WHERE PARENT_ID_ =")
            || sql.contains("FROM ACT_RU_EVENT_SUBSCR WHERE (EXECUTION_ID_ =")
            || sql.contains("WHERE EXECUTION_ID_ = ? AND TASK_ID_ IS NULL")
            || sql.contains("FROM ACT_RU_JOB J WHERE J.EXECUTION_ID_ =")
            || sql.contains("FROM ACT_HI_ACTINST HAI WHERE HAI.ID_ ="))
        .toList();
  }

  private String start(int n) {
    return engine.getRuntimeService().startProcessInstanceByKey("gateway", "customer-" + n, Map.of("n", n)).getId();
  }

  private Job timerOf(String pid) {
    return engine.getManagementService().createJobQuery().processInstanceId(pid).timers().singleResult();
  }

  /** Reads the journey's {@code n}, writes {@code seen}. */
  public static class Bump implements JavaDelegate {
    @Override
    public void execute(DelegateExecution execution) {
      execution.setVariable("seen", (Integer) execution.getVariable("n") + 1);
    }
  }

  private ProcessEngine engine(boolean prefetch) {
    ProcessEngineConfigurationImpl config = SelectRecording.engine("journey-prefetch", sql -> selects.add(sql.toUpperCase()));
    config.setProcessEnginePlugins(List.of(new NeedlessLookups(true), new JourneyPrefetch(prefetch)));
    ProcessEngine built = config.buildProcessEngine();
    // a concurrent tree: one branch waits at an event-based gateway (a reply or 1 h), the other at a task
    BpmnModelInstance gateway = Bpmn.createExecutableProcess("gateway")
        .startEvent()
        .parallelGateway("Fork")
        .eventBasedGateway().id("Gateway")
        .intermediateCatchEvent("Event_Go").message("Go").userTask("Task_Went").endEvent()
        .moveToNode("Gateway")
        .intermediateCatchEvent("Event_Late").timerWithDuration("PT1H")
        .serviceTask("Task_Bump").camundaClass(Bump.class.getName())
        .userTask("Task_Late").name("a").endEvent()
        .moveToNode("Fork")
        .userTask("Task_Other").name("b").endEvent()
        .done();
    built.getRepositoryService().createDeployment().addModelInstance("gateway.bpmn", gateway).deploy();
    return built;
  }
}
