package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.ProcessEngineConfiguration;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ActivityInstance;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Relais' history level ({@link JourneyHistory}): a journey's history is the {@code audit} level's
 * but for its event-based gateways, whose waits are told by the events that end them; the runtime
 * still shows a journey waiting at its gateway; a batch of timers reads no gateway's start time;
 * and a database moves between {@code audit} and this level without a migration, which a real
 * change of level would need. On standalone engines (H2).
 */
class JourneyHistoryTest {

  private static final long T0 = 1_800_000_000_000L;

  private final List<String> selects = new CopyOnWriteArrayList<>();
  private final List<ProcessEngine> engines = new ArrayList<>();

  @AfterEach
  void close() {
    ClockUtil.reset();
    engines.forEach(ProcessEngine::close);
  }

  @Test
  void aWaitIsToldByTheEventThatEndedItAndTheRuntimeStillShowsIt() {
    ProcessEngine engine = engine(JourneyHistory.NAME);
    ClockUtil.setCurrentTime(new Date(T0));
    String late = start(engine, 1);
    String replied = start(engine, 2);

    ActivityInstance waiting = engine.getRuntimeService().getActivityInstance(late);
    assertThat(waiting.getChildActivityInstances()).extracting(ActivityInstance::getActivityId).containsExactly("Gateway");

    ClockUtil.setCurrentTime(new Date(T0 + 60_000L));
    engine.getRuntimeService().createMessageCorrelation("Reply").processInstanceId(replied).correlate();
    ClockUtil.setCurrentTime(new Date(T0 + 3_600_000L + 5_000L));
    engine.getManagementService().executeJob(timerOf(engine, late).getId());

    assertThat(activities(engine, late)).as("the late journey's history")
        .containsExactly("Start", "Task_Send", "Event_Late", "Task_Late");
    assertThat(activities(engine, replied)).as("the replied journey's history")
        .containsExactly("Start", "Task_Send", "Event_Reply", "Task_Answer");
    // the wait's end is the start of the event that ended it; its start is the send's end
    assertThat(instance(engine, late, "Event_Late").getStartTime()).isEqualTo(new Date(T0 + 3_605_000L));
    assertThat(instance(engine, replied, "Event_Reply").getStartTime()).isEqualTo(new Date(T0 + 60_000L));
    assertThat(instance(engine, late, "Task_Send").getEndTime()).isEqualTo(new Date(T0));
    // audit's other records are kept: the journey's variables
    assertThat(engine.getHistoryService().createHistoricVariableInstanceQuery().processInstanceId(late).variableName("n")
        .singleResult().getValue()).isEqualTo(1);
  }

  @Test
  void atAuditTheGatewaysInstanceIsRecorded() {
    ProcessEngine engine = engine(ProcessEngineConfiguration.HISTORY_AUDIT);
    ClockUtil.setCurrentTime(new Date(T0));
    String late = start(engine, 1);
    ClockUtil.setCurrentTime(new Date(T0 + 3_605_000L));
    engine.getManagementService().executeJob(timerOf(engine, late).getId());
    assertThat(activities(engine, late)).containsExactly("Start", "Task_Send", "Gateway", "Event_Late", "Task_Late");
    assertThat(instance(engine, late, "Gateway").getDurationInMillis()).isEqualTo(3_605_000L);
  }

  @Test
  void aBatchOfTimersReadsNoGatewaysStartTime() {
    ProcessEngine engine = engine(JourneyHistory.NAME);
    List<String> timers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      timers.add(timerOf(engine, start(engine, i)).getId());
    }
    selects.clear();
    assertThat(OneBatch.run(engine, timers)).as("timers left to run alone").isEmpty();
    assertThat(selects).as("the batch's reads of activity history").noneMatch(sql -> sql.contains("ACT_HI_ACTINST"));
    assertThat(engine.getHistoryService().createHistoricActivityInstanceQuery().activityId("Task_Late").count()).isEqualTo(8);
  }

  @Test
  void aDatabaseMovesBetweenAuditAndThisLevelWithoutAMigration() {
    String url = "jdbc:h2:mem:journey-history-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    ProcessEngine first = on(url, JourneyHistory.NAME, ProcessEngineConfiguration.DB_SCHEMA_UPDATE_TRUE);
    assertThat(first.getManagementService().getHistoryLevel()).isEqualTo(ProcessEngineConfigurationImpl.HISTORYLEVEL_AUDIT);
    first.close();
    ProcessEngine audit = on(url, ProcessEngineConfiguration.HISTORY_AUDIT, ProcessEngineConfiguration.DB_SCHEMA_UPDATE_FALSE);
    audit.close();
    ProcessEngine again = on(url, JourneyHistory.NAME, ProcessEngineConfiguration.DB_SCHEMA_UPDATE_FALSE);
    assertThat(((ProcessEngineConfigurationImpl) again.getProcessEngineConfiguration()).getHistoryLevel().getName())
        .isEqualTo(JourneyHistory.NAME);
    again.close();
    // what a real change of level meets
    assertThatThrownBy(() -> on(url, ProcessEngineConfiguration.HISTORY_ACTIVITY, ProcessEngineConfiguration.DB_SCHEMA_UPDATE_FALSE))
        .isInstanceOf(ProcessEngineException.class).hasMessageContaining("historyLevel mismatch");
  }

  private static ProcessEngine on(String url, String history, String schemaUpdate) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(url);
    ProcessEngineConfigurationImpl config = (ProcessEngineConfigurationImpl) ProcessEngineConfiguration
        .createStandaloneProcessEngineConfiguration();
    config.setProcessEngineName("journey-history-" + history + "-" + System.nanoTime());
    config.setDataSource(h2);
    config.setDatabaseSchemaUpdate(schemaUpdate);
    config.setHistory(history);
    config.setJobExecutorActivate(false);
    config.setProcessEnginePlugins(List.of(new JourneyHistory()));
    return config.buildProcessEngine();
  }

  private ProcessEngine engine(String history) {
    ProcessEngineConfigurationImpl config = SelectRecording.engine("journey-history", sql -> selects.add(sql.toUpperCase()));
    config.setHistory(history);
    config.setProcessEnginePlugins(List.of(new JourneyHistory(), new NeedlessLookups(true), new JourneyPrefetch(true)));
    ProcessEngine engine = config.buildProcessEngine();
    engines.add(engine);
    // a send, then a wait: a reply or an hour
    BpmnModelInstance journey = Bpmn.createExecutableProcess("wait")
        .startEvent("Start")
        .manualTask("Task_Send")
        .eventBasedGateway().id("Gateway")
        .intermediateCatchEvent("Event_Reply").message("Reply").userTask("Task_Answer").endEvent()
        .moveToNode("Gateway")
        .intermediateCatchEvent("Event_Late").timerWithDuration("PT1H").userTask("Task_Late").endEvent()
        .done();
    engine.getRepositoryService().createDeployment().addModelInstance("wait.bpmn", journey).deploy();
    return engine;
  }

  private static String start(ProcessEngine engine, int n) {
    return engine.getRuntimeService().startProcessInstanceByKey("wait", "customer-" + n, Map.of("n", n)).getId();
  }

  private static Job timerOf(ProcessEngine engine, String pid) {
    return engine.getManagementService().createJobQuery().processInstanceId(pid).timers().singleResult();
  }

  /** The journey's activity instances, by start time (then by the order the engine wrote them). */
  private static List<String> activities(ProcessEngine engine, String pid) {
    return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(pid)
        .orderPartiallyByOccurrence().asc().list().stream().map(HistoricActivityInstance::getActivityId).toList();
  }

  private static HistoricActivityInstance instance(ProcessEngine engine, String pid, String activityId) {
    return engine.getHistoryService().createHistoricActivityInstanceQuery().processInstanceId(pid).activityId(activityId)
        .singleResult();
  }
}
