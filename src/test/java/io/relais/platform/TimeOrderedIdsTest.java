package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.runtime.EventSubscription;
import org.camunda.bpm.engine.runtime.Execution;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The engine's rows, and the ids Relais gives its own, sort in the order they were made: what one
 * journey's start wrote (its executions, variables, subscription, timer and history) sorts before
 * what the next journey's start wrote, so each primary key index grows at its right-hand edge.
 */
@RelaisSpringTest
class TimeOrderedIdsTest {

  @Autowired ProcessEngine engine;
  @Autowired RepositoryService repository;
  @Autowired RuntimeService runtime;
  @Autowired HistoryService history;
  @Autowired ManagementService management;

  @Test
  void everyRowOfAJourneysStartSortsAfterEveryRowOfTheJourneyStartedBefore() {
    repository.createDeployment().addModelInstance("time-ordered-ids.bpmn",
        Bpmn.createExecutableProcess("time-ordered-ids").camundaHistoryTimeToLive(1)
            .startEvent()
            .eventBasedGateway()
            .intermediateCatchEvent().message("TimeOrderedIdsReply").endEvent()
            .moveToLastGateway()
            .intermediateCatchEvent().timerWithDuration("PT24H").endEvent()
            .done()).deploy();

    List<List<String>> rowsByJourney = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = runtime.startProcessInstanceByKey("time-ordered-ids", "ids-" + i,
          Map.of("contactId", "ids-" + i, "step", i)).getId();
      rowsByJourney.add(idsWritten(id));
    }

    assertThat(((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getIdGenerator())
        .isInstanceOf(TimeOrderedIds.class);
    for (List<String> rows : rowsByJourney) {
      assertThat(rows).as("executions, variables, subscription, timer, history").hasSizeGreaterThanOrEqualTo(9);
    }
    for (int i = 1; i < rowsByJourney.size(); i++) {
      String lastBefore = rowsByJourney.get(i - 1).stream().max(String::compareTo).orElseThrow();
      String firstNow = rowsByJourney.get(i).stream().min(String::compareTo).orElseThrow();
      assertThat(firstNow).as("journey %d's first row against journey %d's last", i, i - 1).isGreaterThan(lastBefore);
    }
  }

  @Test
  void idsMadeByManyThreadsAtOnceAreUniqueAndIncreaseOnEachThread() throws Exception {
    int threads = 8;
    int each = 20_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<String>>> made = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        made.add(pool.submit(() -> Stream.generate(TimeOrderedIds::next).limit(each).toList()));
      }
      Set<String> all = new HashSet<>();
      for (Future<List<String>> f : made) {
        List<String> ids = f.get();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(ids).allSatisfy(id -> assertThat(id).hasSize(36).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
        all.addAll(ids);
      }
      assertThat(all).hasSize(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<String> idsWritten(String processInstanceId) {
    List<String> ids = new ArrayList<>();
    runtime.createExecutionQuery().processInstanceId(processInstanceId).list().stream().map(Execution::getId).forEach(ids::add);
    runtime.createVariableInstanceQuery().processInstanceIdIn(processInstanceId).list().forEach(v -> ids.add(v.getId()));
    runtime.createEventSubscriptionQuery().processInstanceId(processInstanceId).list().stream().map(EventSubscription::getId).forEach(ids::add);
    management.createJobQuery().processInstanceId(processInstanceId).list().stream().map(Job::getId).forEach(ids::add);
    history.createHistoricActivityInstanceQuery().processInstanceId(processInstanceId).list().stream()
        .map(HistoricActivityInstance::getId).map(TimeOrderedIdsTest::withoutActivity).forEach(ids::add);
    history.createHistoricVariableInstanceQuery().processInstanceId(processInstanceId).list().stream()
        .map(HistoricVariableInstance::getId).forEach(ids::add);
    return ids;
  }

  /** An activity instance's id is its activity's id, a colon, then an id of the generator. */
  private static String withoutActivity(String activityInstanceId) {
    return activityInstanceId.substring(activityInstanceId.lastIndexOf(':') + 1);
  }
}
