package io.relais.simulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.management.JobDefinition;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.ActivityInstance;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.runtime.TransitionInstance;
import org.springframework.stereotype.Component;

/** Where a contact's journeys stand, read from the engine by business key (the contact id). */
@Component
public class JourneyStates {

  static final String COCKPIT_INSTANCE = "/camunda/app/cockpit/default/#/process-instance/";

  /** One journey of the contact: its current steps, pending timers, and a link to Cockpit. */
  public record JourneyState(
      String processInstanceId,
      String journeyKey,
      String journeyName,
      int version,
      boolean ended,
      Instant startedAt,
      Instant endedAt,
      List<String> currentSteps,
      List<Timer> timers,
      String cockpitUrl) {}

  /** A timer waiting in the journey (a delay, a timeout, or a send deferred out of quiet hours). */
  public record Timer(String step, Instant due) {}

  private final RuntimeService runtime;
  private final HistoryService history;
  private final RepositoryService repository;
  private final ManagementService management;

  public JourneyStates(
      RuntimeService runtime, HistoryService history, RepositoryService repository, ManagementService management) {
    this.runtime = runtime;
    this.history = history;
    this.repository = repository;
    this.management = management;
  }

  /** The running journeys first (newest first), then the last few finished ones. */
  public List<JourneyState> of(String contactId) {
    Map<String, ProcessDefinition> definitions = new HashMap<>();
    List<JourneyState> states = new ArrayList<>();
    // Journeys only: the send steps they call (relais-send, relais-handoff) carry the same business key.
    for (ProcessInstance pi :
        runtime.createProcessInstanceQuery().processInstanceBusinessKey(contactId).rootProcessInstances().list()) {
      ProcessDefinition def = definitions.computeIfAbsent(pi.getProcessDefinitionId(), this::definition);
      HistoricProcessInstance hpi =
          history.createHistoricProcessInstanceQuery().processInstanceId(pi.getId()).singleResult();
      ActivityInstance tree = runtime.getActivityInstance(pi.getId());
      List<String> steps = new ArrayList<>();
      if (tree != null) {
        collectLeaves(tree, steps);
      }
      List<Timer> timers = new ArrayList<>(timers(pi.getId(), def));
      // A step deferred out of quiet hours waits in the called send process.
      for (ProcessInstance called : runtime.createProcessInstanceQuery().superProcessInstanceId(pi.getId()).list()) {
        timers.addAll(timers(called.getId(), definitions.computeIfAbsent(called.getProcessDefinitionId(), this::definition)));
      }
      states.add(
          new JourneyState(
              pi.getId(), def.getKey(), displayName(def), def.getVersion(), false,
              hpi == null ? null : instant(hpi.getStartTime()), null, steps, timers, COCKPIT_INSTANCE + pi.getId()));
    }
    states.sort(Comparator.comparing(JourneyState::startedAt, Comparator.nullsLast(Comparator.reverseOrder())));
    for (HistoricProcessInstance hpi :
        history.createHistoricProcessInstanceQuery()
            .processInstanceBusinessKey(contactId)
            .rootProcessInstances()
            .finished()
            .orderByProcessInstanceEndTime()
            .desc()
            .listPage(0, 5)) {
      ProcessDefinition def = definitions.computeIfAbsent(hpi.getProcessDefinitionId(), this::definition);
      states.add(
          new JourneyState(
              hpi.getId(), def.getKey(), displayName(def), def.getVersion(), true,
              instant(hpi.getStartTime()), instant(hpi.getEndTime()), List.of(), List.of(), null));
    }
    return states;
  }

  private List<Timer> timers(String processInstanceId, ProcessDefinition def) {
    return management.createJobQuery().processInstanceId(processInstanceId).timers().list().stream()
        .map(j -> new Timer(stepName(def, j), instant(j.getDuedate())))
        .toList();
  }

  private ProcessDefinition definition(String id) {
    return repository.getProcessDefinition(id);
  }

  /** The steps the instance is in now: leaf activities, and steps waiting for an async job. */
  private static void collectLeaves(ActivityInstance node, List<String> into) {
    for (TransitionInstance t : node.getChildTransitionInstances()) {
      into.add(nameOr(t.getActivityName(), t.getActivityId()));
    }
    if (node.getChildActivityInstances().length == 0 && node.getChildTransitionInstances().length == 0) {
      if (node.getParentActivityInstanceId() != null) {
        into.add(nameOr(node.getActivityName(), node.getActivityId()));
      }
      return;
    }
    for (ActivityInstance child : node.getChildActivityInstances()) {
      collectLeaves(child, into);
    }
  }

  private String stepName(ProcessDefinition def, Job job) {
    JobDefinition jobDefinition =
        job.getJobDefinitionId() == null
            ? null
            : management.createJobDefinitionQuery().jobDefinitionId(job.getJobDefinitionId()).singleResult();
    if (jobDefinition == null || jobDefinition.getActivityId() == null) {
      return "";
    }
    String activityId = jobDefinition.getActivityId();
    var element = repository.getBpmnModelInstance(def.getId()).getModelElementById(activityId);
    String name = element == null ? null : element.getAttributeValue("name");
    return nameOr(name, activityId);
  }

  private static String displayName(ProcessDefinition def) {
    return nameOr(def.getName(), def.getKey());
  }

  private static String nameOr(String name, String id) {
    return name == null || name.isBlank() ? id : name;
  }

  private static Instant instant(Date d) {
    return d == null ? null : d.toInstant();
  }
}
