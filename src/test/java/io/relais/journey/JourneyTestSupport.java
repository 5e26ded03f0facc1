package io.relais.journey;

import io.relais.support.Jobs;
import io.relais.support.RecordingSendStep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.Comparator;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpMethod;

/** Drives journeys as the outside world would: business events, replies and the passing of time. */
abstract class JourneyTestSupport {

  /** A Tuesday inside the marketing window, so that nothing is deferred by quiet hours. */
  static final Instant TUESDAY_10H = Instant.parse("2026-07-07T08:00:00Z");

  @Autowired ProcessEngine engine;
  @Autowired RuntimeService runtime;
  @Autowired ManagementService management;
  @Autowired HistoryService history;
  @Autowired RepositoryService repository;
  @Autowired RecordingSendStep sendSteps;

  @BeforeEach
  void startClockAndStandIns() {
    AbstractAssertions.init(engine);
    ClockUtil.setCurrentTime(Date.from(TUESDAY_10H));
    JourneyStandIns.deployMissing(repository);
  }

  private final List<String> started = new java.util.ArrayList<>();

  /**
   * Ends what the test left running, so that a later test moving the clock fires no timer of this
   * one (that would run, and count for coverage, steps of another journey).
   */
  @AfterEach
  void cleanUpAndResetClock() {
    for (String id : started) {
      if (runtime.createProcessInstanceQuery().processInstanceId(id).count() > 0) {
        runtime.deleteProcessInstance(id, "journey test finished", true, true);
      }
    }
    started.clear();
    ClockUtil.reset();
  }

  @Autowired TestRestTemplate rest;

  /** A fresh contact in the contact registry (a French mobile, an email), without any consent. */
  String newContact(String prefix) {
    String id = prefix + UUID.randomUUID();
    String phone = "+3367" + String.format("%07d", Math.floorMod(id.hashCode(), 10_000_000));
    Map<String, Object> body = Map.of("phone", phone, "email", id + "@example.fr", "firstName", "Camille");
    var response = rest.withBasicAuth("admin", "admin").exchange("/api/contacts/" + id, HttpMethod.PUT, new HttpEntity<>(body), Map.class);
    if (!response.getStatusCode().is2xxSuccessful()) {
      throw new IllegalStateException("Cannot create contact " + id + ": " + response);
    }
    return id;
  }

  /** Records the contact's opt-in for marketing on a channel, as a brand's form would. */
  void grantMarketing(String contactId, String channel) {
    Map<String, Object> body = Map.of("channel", channel, "purpose", "MARKETING", "status", "GRANTED",
        "method", "CHECKBOX", "source", "journey test", "wording", "J'accepte de recevoir des offres", "wordingVersion", "v1");
    var response = rest.withBasicAuth("admin", "admin").postForEntity("/api/contacts/" + contactId + "/consents", body, Map.class);
    if (!response.getStatusCode().is2xxSuccessful()) {
      throw new IllegalStateException("Cannot grant consent to " + contactId + ": " + response);
    }
  }

  /** Starts a journey by its business event, as {@code POST /engine-rest/message} does. */
  ProcessInstance start(String message, String contactId, Map<String, Object> variables) {
    ProcessInstance pi =
        runtime.createMessageCorrelation(message).processInstanceBusinessKey(contactId)
            .setVariables(variables).correlateStartMessage();
    started.add(pi.getId());
    settle();
    return pi;
  }

  /** The customer answers, as the inbound pipeline correlates it. */
  void reply(ProcessInstance pi, String text) {
    Map<String, Object> vars = new HashMap<>();
    vars.put(JourneyMessages.VAR_REPLY_TEXT, text);
    vars.put(JourneyMessages.VAR_REPLY_CHANNEL, "SMS");
    vars.put(JourneyMessages.VAR_REPLY_MESSAGE_ID, "SM" + UUID.randomUUID().toString().replace("-", ""));
    vars.put(JourneyMessages.VAR_REPLY_RECEIVED_AT, Date.from(ClockUtil.now().toInstant()));
    event(pi, JourneyMessages.CUSTOMER_REPLY, vars);
  }

  void event(ProcessInstance pi, String message, Map<String, Object> vars) {
    runtime.createMessageCorrelation(message).processInstanceBusinessKey(pi.getBusinessKey())
        .processInstanceId(pi.getId()).setVariables(vars).correlate();
    settle();
  }

  /**
   * Runs due jobs, then lets up to a minute pass for the send pipeline's own short deferrals
   * (throughput per sender), as the job executor would, so that a journey reaches its next wait.
   */
  void settle() {
    for (int i = 0; i < 20; i++) {
      Jobs.runDue(management);
      Date now = ClockUtil.now();
      Date soon = new Date(now.getTime() + 60_000);
      var next = management.createJobQuery().executable().list().isEmpty()
          ? management.createJobQuery().duedateHigherThan(now).duedateLowerThan(soon).orderByJobDuedate().asc().listPage(0, 1)
          : List.<org.camunda.bpm.engine.runtime.Job>of();
      if (next.isEmpty()) {
        return;
      }
      ClockUtil.setCurrentTime(next.get(0).getDuedate());
    }
  }

  /** Moves the engine clock (timers included) and runs what became due. */
  void advance(String isoDuration) {
    Instant now = ClockUtil.now().toInstant();
    Instant later = isoDuration.contains("T")
        ? now.plus(Duration.parse(isoDuration))
        : now.plus(Duration.ofDays(Period.parse(isoDuration).getDays()));
    ClockUtil.setCurrentTime(Date.from(later));
    settle();
  }

  /** What the journey asked the send pipeline to send, in order: channel, category, text, ... */
  List<Map<String, Object>> sent(ProcessInstance pi) {
    return sendSteps.sent(pi.getId());
  }

  /** The agent takes the open handoff of this journey's contact in Tasklist and resolves it. */
  void agentResolves(ProcessInstance pi) {
    var task = engine.getTaskService().createTaskQuery().processInstanceBusinessKey(pi.getBusinessKey())
        .processDefinitionKey("relais-handoff").active().singleResult();
    if (task == null) {
      throw new AssertionError("No agent task open for contact " + pi.getBusinessKey());
    }
    engine.getTaskService().claim(task.getId(), "agent");
    engine.getTaskService().complete(task.getId(), Map.of("agentAction", "RESOLVE"));
    settle();
  }

  List<Map<String, Object>> handoffs(ProcessInstance pi) {
    return called(pi, "relais-handoff");
  }

  private List<Map<String, Object>> called(ProcessInstance pi, String key) {
    return history.createHistoricProcessInstanceQuery().superProcessInstanceId(pi.getId()).processDefinitionKey(key)
        .list().stream()
        .sorted(Comparator.comparing(HistoricProcessInstance::getStartTime).thenComparing(HistoricProcessInstance::getId))
        .map(h -> {
          Map<String, Object> vars = new HashMap<>();
          for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery().processInstanceId(h.getId()).list()) {
            vars.put(v.getName(), v.getValue());
          }
          return vars;
        })
        .toList();
  }

  Object variable(ProcessInstance pi, String name) {
    HistoricVariableInstance v =
        history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName(name).singleResult();
    return v == null ? null : v.getValue();
  }

  /** Deploys the test stand-ins of processes other features own, only where the real one is missing. */
  static final class JourneyStandIns {
    private JourneyStandIns() {}

    static synchronized void deployMissing(RepositoryService repository) {
      for (String key : List.of("relais-send", "relais-handoff")) {
        if (repository.createProcessDefinitionQuery().processDefinitionKey(key).count() == 0) {
          try {
            repository.createDeployment().name("journey-test-stand-in-" + key)
                .addString(key + ".bpmn", Files.readString(Path.of("src/test/resources/bpmn/standin/" + key + ".bpmn")))
                .deploy();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
  }
}
