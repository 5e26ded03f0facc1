package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.contact.ContactRegistry;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.ZoneId;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.engine.task.Task;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Every path of relais-handoff, on the whole application with the engine clock under control. */
@RelaisSpringTest
class HandoffProcessTest {

  /** Wednesday 2 December 2026, 10:00 in Paris: agents are at their desks. */
  static final Instant WEDNESDAY_10H = ZonedDateTime.of(2026, 12, 2, 10, 0, 0, 0, ZoneId.of("Europe/Paris")).toInstant();
  /** Saturday 28 November 2026, 15:00 in Paris: nobody is. */
  static final Instant SATURDAY_15H = ZonedDateTime.of(2026, 11, 28, 15, 0, 0, 0, ZoneId.of("Europe/Paris")).toInstant();

  @Autowired ProcessEngine engine;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired TaskService tasks;
  @Autowired ManagementService management;
  @Autowired HistoryService history;
  @Autowired HandoffRegistry registry;
  @Autowired MessageLog messages;
  @Autowired ContactRegistry contacts;
  @Autowired Clock clock;

  Contact marie;

  @BeforeEach
  void setUp() {
    AbstractAssertions.init(engine);
    ClockUtil.setCurrentTime(Date.from(WEDNESDAY_10H));
    marie = HandoffFixtures.contact(contacts, "Marie", "Dupont");
  }

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  @Test
  void taskIsNamedAfterCustomerAndReasonInTheAgentsQueueWithTranscriptAndSlaDueDate() {
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.WHATSAPP, "Bonjour, je veux retourner mes chaussures");
    at(Duration.ofSeconds(20));
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.WHATSAPP, "Elles sont trop petites");

    at(Duration.ofMinutes(1));
    ProcessInstance pi = start(marie, "retour produit", null);

    Task task = firstTask(pi);
    assertThat(task.getName()).isEqualTo("Marie D. — retour produit");
    assertThat(task.getDueDate().toInstant()).isEqualTo(WEDNESDAY_10H.plus(Duration.ofMinutes(6)));
    assertThat(candidateGroups(task)).containsExactly("agents");
    String view = tasks.getVariableLocalTyped(task.getId(), VIEW).getValue().toString();
    assertThat(view).contains("Marie Dupont").contains("+33 6 •• •• ••").contains("WHATSAPP");
    assertThat(view.indexOf("retourner mes chaussures")).isLessThan(view.indexOf("trop petites"));
    assertThat(runtime.getVariables(pi.getId())).doesNotContainKey(VIEW).doesNotContainValue("Marie");
    assertThat(registry.isHumanOwned(marie.id())).isTrue();
    assertThat(registry.find(pi.getId()).orElseThrow().reason()).isEqualTo("retour produit");
  }

  @Test
  void claimedInTimeSendsNoHoldingMessage() {
    ProcessInstance pi = start(marie, "question livraison", null);
    at(Duration.ofMinutes(2));
    tasks.claim(firstTask(pi).getId(), "agent");
    at(Duration.ofMinutes(6));
    Jobs.runDue(management, pi.getId());

    assertThat(outbound(marie)).isEmpty();
    HandoffRegistry.Handoff h = registry.find(pi.getId()).orElseThrow();
    assertThat(h.claimedAt()).isEqualTo(WEDNESDAY_10H.plus(Duration.ofMinutes(2)));
    assertThat(h.agent()).isEqualTo("agent");
    assertThat(h.holdingSentAt()).isNull();
    assertThat(pi).isWaitingAt(TASK_FIRST);
  }

  @Test
  void slaBreachSendsHoldingMessageWithExpectedDelay() {
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.SMS, "Je veux parler à quelqu'un");
    ProcessInstance pi = start(marie, "demande d'un humain", null);
    at(Duration.ofMinutes(4));
    Jobs.runDue(management, pi.getId());
    assertThat(outbound(marie)).isEmpty();

    at(Duration.ofMinutes(6));
    Jobs.runDue(management, pi.getId());

    List<MessageRecord> out = outbound(marie);
    assertThat(out).singleElement().satisfies(m -> {
      assertThat(m.body()).isEqualTo("Un conseiller va vous répondre d'ici 24 minutes.");
      assertThat(m.channel()).isEqualTo(Channel.SMS);
      assertThat(m.category()).isEqualTo("SERVICE");
    });
    assertThat(registry.find(pi.getId()).orElseThrow().holdingSentAt()).isNotNull();
    assertThat(pi).isWaitingAt(TASK_FIRST);
  }

  @Test
  void unclaimedAfterEscalationDelayMovesToSupervisors() {
    ProcessInstance pi = start(marie, "client mécontent", null);
    at(Duration.ofMinutes(31));
    Jobs.runDue(management, pi.getId());

    assertThat(candidateGroups(firstTask(pi))).containsExactly("supervisors");
    HandoffRegistry.Handoff h = registry.find(pi.getId()).orElseThrow();
    assertThat(h.escalatedAt()).isNotNull();
    assertThat(h.queue()).isEqualTo("supervisors");
    assertThat(outbound(marie)).hasSize(1); // the holding message, once
  }

  @Test
  void outOfHoursTellsCustomerAtOnceWhenAHumanWillAnswerAndWhereToLook() {
    ClockUtil.setCurrentTime(Date.from(SATURDAY_15H));
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.SMS, "Allô ?");
    ProcessInstance pi = start(marie, "retour produit", null);
    Jobs.runDue(management, pi.getId());

    assertThat(outbound(marie)).singleElement().satisfies(m -> {
      assertThat(m.body()).contains("lundi 30 novembre à 9 h 00").contains("http");
      assertThat(m.category()).isEqualTo("SERVICE");
    });
    Instant monday9 = ZonedDateTime.of(2026, 11, 30, 9, 0, 0, 0, ZoneId.of("Europe/Paris")).toInstant();
    assertThat(firstTask(pi).getDueDate().toInstant()).isEqualTo(monday9.plus(Duration.ofMinutes(5)));
    assertThat(registry.find(pi.getId()).orElseThrow().outOfHours()).isTrue();

    // Sunday: the SLA counts from Monday's opening, so no holding message yet.
    ClockUtil.setCurrentTime(Date.from(SATURDAY_15H.plus(Duration.ofHours(24))));
    Jobs.runDue(management, pi.getId());
    assertThat(outbound(marie)).hasSize(1);
  }

  @Test
  void replyGoesOutOnTheCustomersChannelAndTheNextReplyComesBackToTheSameAgent() {
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.WHATSAPP, "Mon colis n'est pas arrivé");
    ProcessInstance pi = start(marie, "colis perdu", null);
    Task task = firstTask(pi);
    at(Duration.ofMinutes(1));
    tasks.claim(task.getId(), "agent");
    at(Duration.ofMinutes(3));
    tasks.complete(task.getId(), Map.of(AGENT_ACTION, "REPLY", AGENT_MESSAGE, "Je regarde votre colis tout de suite."));
    Jobs.runDue(management, pi.getId());

    assertThat(outbound(marie)).singleElement().satisfies(m -> {
      assertThat(m.body()).isEqualTo("Je regarde votre colis tout de suite.");
      assertThat(m.channel()).isEqualTo(Channel.WHATSAPP);
      assertThat(m.category()).isEqualTo("SERVICE");
    });
    assertThat(registry.find(pi.getId()).orElseThrow().firstResponseAt()).isEqualTo(WEDNESDAY_10H.plus(Duration.ofMinutes(3)));
    assertThat(runtime.getVariables(pi.getId())).doesNotContainKey(AGENT_MESSAGE);
    assertThat(pi).isWaitingAt("Gateway_AwaitCustomer");
    assertThat(registry.isHumanOwned(marie.id())).isTrue();

    at(Duration.ofMinutes(4));
    HandoffFixtures.inbound(messages, clock, marie.id(), Channel.WHATSAPP, "Merci pour tout");
    runtime.createMessageCorrelation(JourneyMessages.CUSTOMER_REPLY).processInstanceBusinessKey(marie.id())
        .setVariable(JourneyMessages.VAR_REPLY_TEXT, "Merci pour tout").correlate();
    Jobs.runDue(management, pi.getId());

    Task followUp = tasks.createTaskQuery().processInstanceId(pi.getId()).taskDefinitionKey(TASK_FOLLOW_UP).singleResult();
    assertThat(followUp.getAssignee()).isEqualTo("agent");
    assertThat(followUp.getName()).isEqualTo("Marie D. — colis perdu");
    assertThat(tasks.getVariableLocalTyped(followUp.getId(), VIEW).getValue().toString()).contains("Merci pour tout");

    tasks.complete(followUp.getId(), Map.of(AGENT_ACTION, "RESOLVE"));
    Jobs.runDue(management, pi.getId());
    assertThat(pi).isEnded();
    assertThat(outbound(marie)).hasSize(1);
  }

  @Test
  void resolveClosesTheConversation() {
    ProcessInstance pi = start(marie, "question", null);
    tasks.claim(firstTask(pi).getId(), "agent");
    tasks.complete(firstTask(pi).getId(), Map.of(AGENT_ACTION, "RESOLVE"));
    at(Duration.ofMinutes(1));
    Jobs.runDue(management, pi.getId());

    assertThat(pi).isEnded();
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName(RESOLUTION)
        .singleResult().getValue()).isEqualTo("RESOLVED");
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName(VIEW)
        .includeDeleted().count()).isZero();
    HandoffRegistry.Handoff h = registry.find(pi.getId()).orElseThrow();
    assertThat(h.resolution()).isEqualTo("RESOLVED");
    assertThat(h.resolvedAt()).isNotNull();
    assertThat(registry.isHumanOwned(marie.id())).isFalse();
  }

  @Test
  void handBackGivesTheConversationBackToTheBot() {
    ProcessInstance pi = start(marie, "question", null);
    tasks.claim(firstTask(pi).getId(), "agent");
    tasks.complete(firstTask(pi).getId(), Map.of(AGENT_ACTION, "HAND_BACK"));
    Jobs.runDue(management, pi.getId());

    assertThat(pi).isEnded().hasPassed("Task_HandBack");
    assertThat(registry.find(pi.getId()).orElseThrow().resolution()).isEqualTo("BOT");
    assertThat(registry.isHumanOwned(marie.id())).isFalse();
  }

  @Test
  void customerSilentAfterReplyClosesTheHandoff() {
    ProcessInstance pi = start(marie, "question", "SMS");
    tasks.claim(firstTask(pi).getId(), "agent");
    tasks.complete(firstTask(pi).getId(), Map.of(AGENT_ACTION, "REPLY", AGENT_MESSAGE, "C'est fait."));
    Jobs.runDue(management, pi.getId());
    at(Duration.ofHours(25));
    Jobs.runDue(management, pi.getId());

    assertThat(pi).isEnded().hasPassed("Event_ReplyTimeout", "Task_Resolve");
    assertThat(registry.isHumanOwned(marie.id())).isFalse();
  }

  @Test
  void replyWithoutTextIsRefusedAndCancelledInstanceReleasesTheConversation() {
    ProcessInstance pi = start(marie, "question", null);
    Task task = firstTask(pi);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> tasks.complete(task.getId(), Map.of(AGENT_ACTION, "REPLY")))
        .hasMessageContaining("Écrivez la réponse");
    assertThat(pi).isWaitingAt(TASK_FIRST);

    runtime.deleteProcessInstance(pi.getId(), "journey cancelled");
    assertThat(registry.find(pi.getId()).orElseThrow().resolution()).isEqualTo("CANCELLED");
    assertThat(registry.isHumanOwned(marie.id())).isFalse();
  }

  @Test
  void journeyCallsTheHandoffWithItsBusinessKeyShowsCartAndOrderAndGetsTheResolutionBack() {
    repository.createDeployment().name("test-handoff-caller").enableDuplicateFiltering(true)
        .addString("test-handoff-caller.bpmn", CALLER).deploy();
    ProcessInstance journey = runtime.startProcessInstanceByKey("test-handoff-caller", marie.id(),
        Map.of("cartTotal", "89,90 €", "orderId", "CMD-1042", "phone", "+33612345678"));
    ProcessInstance pi = runtime.createProcessInstanceQuery().superProcessInstanceId(journey.getId()).singleResult();
    assertThat(pi.getBusinessKey()).isEqualTo(marie.id());

    Task task = firstTask(pi);
    assertThat(task.getName()).isEqualTo("Marie D. — retour produit");
    String view = tasks.getVariableLocalTyped(task.getId(), VIEW).getValue().toString();
    assertThat(view).contains("cartTotal").contains("89,90").contains("CMD-1042").doesNotContain("+33612345678");

    tasks.claim(task.getId(), "agent");
    tasks.complete(task.getId(), Map.of(AGENT_ACTION, "HAND_BACK"));
    Jobs.runDue(management, pi.getId());
    assertThat(journey).isWaitingAt("Task_AfterHandoff").variables().containsEntry(RESOLUTION, "BOT");
    runtime.deleteProcessInstance(journey.getId(), "test done");
  }

  /** A journey as the element template {@code io.relais.handoff} makes it. */
  static final String CALLER = """
      <?xml version="1.0" encoding="UTF-8"?>
      <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_Caller" targetNamespace="test">
        <bpmn:process id="test-handoff-caller" isExecutable="true" camunda:historyTimeToLive="P1D">
          <bpmn:startEvent id="StartEvent_Test" />
          <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Test" targetRef="Call_Handoff" />
          <bpmn:callActivity id="Call_Handoff" calledElement="relais-handoff" camunda:calledElementBinding="latest">
            <bpmn:extensionElements>
              <camunda:in businessKey="#{execution.processBusinessKey}" />
              <camunda:in sourceExpression="retour produit" target="handoffReason" />
              <camunda:in sourceExpression="agents" target="handoffQueue" />
              <camunda:in sourceExpression="${null}" target="handoffChannel" />
              <camunda:out source="handoffResolution" target="handoffResolution" />
            </bpmn:extensionElements>
          </bpmn:callActivity>
          <bpmn:sequenceFlow id="Flow_2" sourceRef="Call_Handoff" targetRef="Task_AfterHandoff" />
          <bpmn:userTask id="Task_AfterHandoff" />
          <bpmn:sequenceFlow id="Flow_3" sourceRef="Task_AfterHandoff" targetRef="End_Test" />
          <bpmn:endEvent id="End_Test" />
        </bpmn:process>
      </bpmn:definitions>
      """;

  private ProcessInstance start(Contact contact, String reason, String channel) {
    Map<String, Object> vars = new HashMap<>();
    vars.put(REASON, reason);
    vars.put(QUEUE, "agents");
    if (channel != null) {
      vars.put(CHANNEL, channel);
    }
    return runtime.startProcessInstanceByKey(PROCESS_ID, contact.id(), vars);
  }

  private Task firstTask(ProcessInstance pi) {
    return tasks.createTaskQuery().processInstanceId(pi.getId()).taskDefinitionKey(TASK_FIRST).singleResult();
  }

  private List<String> candidateGroups(Task task) {
    return tasks.getIdentityLinksForTask(task.getId()).stream().filter(l -> "candidate".equals(l.getType()))
        .map(IdentityLink::getGroupId).toList();
  }

  private List<MessageRecord> outbound(Contact c) {
    return messages.transcript(c.id()).stream().filter(m -> m.direction() == Direction.OUT).toList();
  }

  /** Moves the engine clock to Wednesday 10:00 plus {@code sinceStart}. */
  private static void at(Duration sinceStart) {
    ClockUtil.setCurrentTime(Date.from(WEDNESDAY_10H.plus(sinceStart)));
  }
}
