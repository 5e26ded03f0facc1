package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.ConsentEvent;
import io.relais.contact.ConsentLedger;
import io.relais.contact.ConsentMethod;
import io.relais.contact.ConsentStatus;
import io.relais.contact.ContactInput;
import io.relais.contact.ContactRegistry;
import io.relais.contact.LegalBasis;
import io.relais.contact.Purpose;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import io.relais.support.TestModels;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A journey's send step (a call activity to relais-send, asynchronous before, as the element
 * template draws it) runs inline: no child instance, the message recorded against the journey's
 * step, quiet hours waited out on the step itself, failures retried with the send retry cycle
 * into an incident on the step, and a retry after a crash that followed the send sends nothing twice.
 */
@RelaisSpringTest
class InlineSendStepTest {

  static final Instant SATURDAY_EVENING = Instant.parse("2026-07-11T18:30:00Z"); // 20:30 Paris
  static final Instant MONDAY_OPENING = Instant.parse("2026-07-13T06:00:00Z"); // 08:00 Paris
  static final Instant MONDAY_MORNING = Instant.parse("2026-07-13T08:00:00Z"); // 10:00 Paris
  static final String STEP = "Call_Send";
  static final String TIMER = "Timer_Wait";
  static final String GO = "Wait_Go";

  /** An end listener of the step that fails once when armed: a crash after the send, before the commit. */
  public static class FailOnceAfterSend implements ExecutionListener {
    static final AtomicBoolean ARMED = new AtomicBoolean();

    @Override
    public void notify(DelegateExecution execution) {
      if (ARMED.getAndSet(false)) {
        throw new IllegalStateException("crash after the send");
      }
    }
  }

  @Autowired ProcessEngine engine;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired ManagementService management;
  @Autowired HistoryService history;
  @Autowired ContactRegistry contacts;
  @Autowired ConsentLedger ledger;
  @Autowired MessageLog messages;
  @Autowired org.springframework.jdbc.core.JdbcTemplate jdbc;

  String journey;
  String contactId;

  @BeforeEach
  void setUp() {
    AbstractAssertions.init(engine);
    FailOnceAfterSend.ARMED.set(false);
    journey = "inline-send-" + UUID.randomUUID().toString().substring(0, 8);
    deploy(journey, false);
    deploy(journey + "-timer", true);

    contactId = "inline-" + UUID.randomUUID();
    contacts.save(new ContactInput(contactId, "+3361" + String.format("%07d", (long) (Math.random() * 10_000_000)), null,
        "Chloé", null, null, null, null, null, null, null));
    ledger.append(ConsentEvent.of(contactId, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.CHECKBOX, "test", "checkbox-v1").withWording("J'accepte de recevoir les offres par SMS", "v1"));
  }

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  /**
   * start, a 1-hour timer or a receive task, the step (asynchronous before, as the template draws
   * it), a receive task: with the timer, the step is reached in the timer's job; after the receive
   * task (a wait ended outside any job, as a user task's) it keeps a job of its own. A step right
   * after the start sends in the starting transaction: {@link SendAtStartTest}.
   */
  void deploy(String key, boolean afterTimer) {
    var start = Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent();
    var beforeStep = afterTimer ? start.intermediateCatchEvent(TIMER).timerWithDuration("PT1H") : start.receiveTask(GO);
    BpmnModelInstance model = beforeStep
        .callActivity(STEP).calledElement(InlineSendSteps.CALLED_ELEMENT).camundaAsyncBefore()
        .camundaIn("channel", "channel").camundaIn("category", "category").camundaIn("text", "text")
        .camundaOut("sendOutcome", "sendOutcome").camundaOut("sendMessageId", "sendMessageId")
        .camundaExecutionListenerClass(ExecutionListener.EVENTNAME_END, FailOnceAfterSend.class.getName())
        .receiveTask("Wait_Next")
        .endEvent()
        .done();
    TestModels.passingBusinessKey(model, STEP);
    repository.createDeployment().addModelInstance(key + ".bpmn", model).deploy();
  }

  ProcessInstance start(String category, String text) {
    return start(journey, category, text);
  }

  ProcessInstance start(String key, String category, String text) {
    ProcessInstance pi = runtime.createProcessInstanceByKey(key).businessKey(contactId)
        .setVariable("channel", "SMS").setVariable("category", category).setVariable("text", text).execute();
    var go = runtime.createExecutionQuery().processInstanceId(pi.getId()).activityId(GO).singleResult();
    if (go != null) {
      runtime.signal(go.getId()); // the wait before the step ends outside any job
    }
    return pi;
  }

  List<MessageRecord> outbound() {
    return messages.transcript(contactId).stream().filter(m -> m.direction() == Direction.OUT).toList();
  }

  /**
   * The failed job's retry, when due: the journey goes on with one message, the retry's (the
   * crashed attempt's message rolled back with its job).
   */
  void theRetrySendsItOnce(ProcessInstance pi, Job retry, String key) {
    ClockUtil.setCurrentTime(retry.getDuedate());
    Jobs.runDue(management, pi.getId());

    assertThat(pi).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    List<MessageRecord> delivered = outbound().stream().filter(m -> !"DEFERRED".equals(m.status())).toList();
    assertThat(delivered).as("one message, from the retry").singleElement().satisfies(m -> {
      assertThat(m.status()).isEqualTo("DELIVERED");
      assertThat(m.idempotencyKey()).as("the key of the job that sent it").isEqualTo(key);
      assertThat(m.id()).isEqualTo(runtime.getVariable(pi.getId(), "sendMessageId"));
    });
  }

  /** Runs the instance's due job, failing, until it becomes an incident; answers the waits between attempts. */
  List<Duration> retriedUntilAnIncident(ProcessInstance pi) {
    List<Duration> waits = new ArrayList<>();
    for (int attempt = 0; attempt < 10 && runtime.createIncidentQuery().processInstanceId(pi.getId()).count() == 0; attempt++) {
      Instant failedAt = ClockUtil.now().toInstant();
      Jobs.runDue(management, pi.getId());
      Job job = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
      if (job.getRetries() > 0) {
        waits.add(Duration.between(failedAt, job.getDuedate().toInstant()));
        ClockUtil.setCurrentTime(job.getDuedate());
      }
    }
    return waits;
  }

  @Test
  void theStepSendsInTheJourneysOwnJobWithoutAChildInstance() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start("MARKETING", "Bonjour {{firstName}}, -20% cette semaine");
    // reachable outside any job (after a wait that ends outside one): the step keeps its asynchronous continuation
    assertThat(management.createJobQuery().processInstanceId(pi.getId()).count()).isEqualTo(1);
    assertThat(management.createJobQuery().processInstanceId(pi.getId()).activityId(STEP).count()).isEqualTo(1);

    Jobs.runDue(management);

    assertThat(pi).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    assertThat(history.createHistoricProcessInstanceQuery().superProcessInstanceId(pi.getId()).count()).isZero();
    assertThat(history.createHistoricProcessInstanceQuery().processDefinitionKey(InlineSendSteps.CALLED_ELEMENT)
        .processInstanceBusinessKey(contactId).count()).isZero();
    assertThat(outbound()).singleElement().satisfies(m -> {
      assertThat(m.status()).isEqualTo("DELIVERED");
      assertThat(m.processInstanceId()).isEqualTo(pi.getId());
      assertThat(m.journeyKey()).isEqualTo(journey);
      assertThat(m.stepId()).isEqualTo(STEP);
      assertThat(m.body()).startsWith("Bonjour Chloé, -20% cette semaine");
      assertThat(m.id()).isEqualTo(runtime.getVariable(pi.getId(), "sendMessageId"));
    });
    // the step's inputs were evaluated in memory: none of them became a variable of the journey
    assertThat(runtime.getVariables(pi.getId())).doesNotContainKeys("sendReason", "sendNotBefore", "sendVariant");
  }

  @Test
  void anOutcomeEqualToTheOneAnEarlierStepLeftIsNotWrittenAgain() {
    // an earlier step of the journey left sendOutcome = SENT: this step's equal outcome changes
    // nothing, and the engine would still write it (an update, and a read of its history)
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = runtime.createProcessInstanceByKey(journey).businessKey(contactId)
        .setVariable("channel", "SMS").setVariable("category", "SERVICE").setVariable("text", "Votre colis arrive")
        .setVariable("sendOutcome", "SENT").setVariable("sendMessageId", "an-earlier-message").execute();
    runtime.signal(runtime.createExecutionQuery().processInstanceId(pi.getId()).activityId(GO).singleResult().getId());
    Jobs.runDue(management);

    assertThat(pi).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    String sent = outbound().get(0).id();
    assertThat(runtime.getVariable(pi.getId(), "sendMessageId")).isEqualTo(sent);
    assertThat(revision(pi, "sendOutcome")).as("equal: not written again").isEqualTo(1);
    assertThat(revision(pi, "sendMessageId")).as("changed: written").isEqualTo(2);
    assertThat(history.createHistoricVariableInstanceQuery().processInstanceId(pi.getId()).variableName("sendMessageId")
        .singleResult().getValue()).isEqualTo(sent);
  }

  int revision(ProcessInstance pi, String name) {
    return jdbc.queryForObject("select rev_ from act_ru_variable where proc_inst_id_ = ? and name_ = ?", Integer.class, pi.getId(), name);
  }

  @Test
  void aPromoInQuietHoursWaitsOnTheStepUntilTheOpeningThenGoes() {
    ClockUtil.setCurrentTime(Date.from(SATURDAY_EVENING));
    ProcessInstance pi = start("MARKETING", "Bonjour {{firstName}}, -20% cette semaine");
    Jobs.runDue(management);

    assertThat(pi).isWaitingAt(STEP);
    Job wait = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(wait.getDuedate().toInstant()).isEqualTo(MONDAY_OPENING);
    assertThat(outbound()).singleElement().satisfies(m -> {
      assertThat(m.status()).isEqualTo("DEFERRED");
      assertThat(m.reason()).isEqualTo("QUIET_HOURS");
    });
    assertThat(Jobs.runDue(management, pi.getId())).as("nothing is due before the opening").isZero();

    ClockUtil.setCurrentTime(Date.from(MONDAY_OPENING));
    Jobs.runDue(management);

    assertThat(pi).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    List<MessageRecord> sent = outbound();
    assertThat(sent).extracting(MessageRecord::status).containsExactly("DEFERRED", "DELIVERED");
    assertThat(sent.get(0).idempotencyKey()).isNotEqualTo(sent.get(1).idempotencyKey());
    assertThat(sent.get(1).stepId()).isEqualTo(STEP);
  }

  /**
   * A first attempt in the step's own job writes its message with that job: a crash after the send
   * leaves nothing written and nothing handed to a provider, and the job's retry sends it once.
   */
  @Test
  void aCrashAfterTheSendInTheStepsOwnJobLeavesNoMessageAndItsRetrySendsItOnce() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    FailOnceAfterSend.ARMED.set(true);
    ProcessInstance pi = start("TRANSACTIONAL", "Votre commande est prête");
    Jobs.runDue(management);

    Job retry = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(retry.getExceptionMessage()).contains("crash after the send");
    assertThat(outbound()).as("the message was written with the step's job, which rolled back").isEmpty();

    theRetrySendsItOnce(pi, retry, "job:" + retry.getId());
  }

  /**
   * The same for a deferral that fell due (the 08:00 burst of promos queued the evening before):
   * the message goes with the deferral's job or not at all.
   */
  @Test
  void aCrashAfterTheSendInADeferralThatFellDueLeavesNoMessageAndItsRetrySendsItOnce() {
    ClockUtil.setCurrentTime(Date.from(SATURDAY_EVENING));
    ProcessInstance pi = start("MARKETING", "Bonjour {{firstName}}, -20% cette semaine");
    Jobs.runDue(management);
    assertThat(outbound()).extracting(MessageRecord::status).containsExactly("DEFERRED");

    ClockUtil.setCurrentTime(Date.from(MONDAY_OPENING));
    FailOnceAfterSend.ARMED.set(true);
    Jobs.runDue(management);

    Job retry = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(retry.getExceptionMessage()).contains("crash after the send");
    assertThat(outbound()).as("only the deferral's record: the send rolled back with the deferral's job")
        .extracting(MessageRecord::status).containsExactly("DEFERRED");

    theRetrySendsItOnce(pi, retry, "job:" + retry.getId());
  }

  @Test
  void aBrokenTemplateIsRetriedWithTheSendRetryCycleThenBecomesAnIncidentOnTheStep() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start("TRANSACTIONAL", "Votre commande {{orderId}} est prête");
    List<Duration> waits = retriedUntilAnIncident(pi);
    assertThat(waits).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(10));
    var incident = runtime.createIncidentQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(incident.getActivityId()).isEqualTo(STEP);
    assertThat(incident.getIncidentMessage()).contains("MISSING_VARIABLE").contains("{{orderId}}");
    assertThat(outbound()).singleElement().satisfies(m -> assertThat(m.status()).isEqualTo("FAILED"));
  }

  /** The timer's job of the "timer" journey, made due: what the clock does an hour after the start. */
  Job dueTimer(ProcessInstance pi) {
    Job timer = management.createJobQuery().processInstanceId(pi.getId()).activityId(TIMER).singleResult();
    ClockUtil.setCurrentTime(timer.getDuedate());
    return timer;
  }

  @Test
  void aStepReachedByATimerSendsInTheTimersJobWithNoJobOfItsOwn() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start(journey + "-timer", "MARKETING", "Bonjour {{firstName}}, -20% cette semaine");
    Job timer = dueTimer(pi);

    assertThat(Jobs.runDue(management, pi.getId())).as("the timer's job, and no other").isEqualTo(1);

    assertThat(pi).hasPassed(TIMER, STEP).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    assertThat(management.createJobQuery().processInstanceId(pi.getId()).count()).isZero();
    assertThat(outbound()).singleElement().satisfies(m -> {
      assertThat(m.status()).isEqualTo("DELIVERED");
      assertThat(m.stepId()).isEqualTo(STEP);
      assertThat(m.idempotencyKey()).isEqualTo("job:" + timer.getId() + ":" + STEP);
    });
  }

  @Test
  void aSendFailingInTheTimersJobKeepsTheTimerFiredAndIsRetriedOnTheStepWithTheSendRetryCycle() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start(journey + "-timer", "TRANSACTIONAL", "Votre commande {{orderId}} est prête");
    Job timer = dueTimer(pi);
    Instant firedAt = ClockUtil.now().toInstant();

    management.executeJob(timer.getId()); // does not fail: the send goes on in the step's own job

    assertThat(pi).hasPassed(TIMER).isWaitingAt(STEP);
    Job step = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(step.getExceptionMessage()).contains("MISSING_VARIABLE");
    List<Duration> waits = new ArrayList<>(List.of(Duration.between(firedAt, step.getDuedate().toInstant())));
    ClockUtil.setCurrentTime(step.getDuedate());
    waits.addAll(retriedUntilAnIncident(pi));
    assertThat(waits).as("the same cycle as a step's own asynchronous job").containsExactly(Duration.ofSeconds(30),
        Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10));
    var incident = runtime.createIncidentQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(incident.getActivityId()).isEqualTo(STEP);
    assertThat(incident.getIncidentMessage()).contains("MISSING_VARIABLE");
    assertThat(outbound()).as("every attempt took over the first one's record, by its key").singleElement()
        .satisfies(m -> {
          assertThat(m.status()).isEqualTo("FAILED");
          assertThat(m.idempotencyKey()).isEqualTo("job:" + timer.getId() + ":" + STEP);
        });
  }

  /**
   * The send of a step reached in a job is written in that job's transaction: a crash after it
   * leaves nothing written and nothing handed to a provider, and the timer's retry sends it once.
   */
  @Test
  void aCrashAfterASendInTheTimersJobLeavesNoMessageAndTheRetriedTimerSendsItOnce() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start(journey + "-timer", "TRANSACTIONAL", "Votre commande est prête");
    Job timer = dueTimer(pi);
    FailOnceAfterSend.ARMED.set(true);

    assertThatThrownBy(() -> management.executeJob(timer.getId())).hasMessageContaining("crash after the send");

    assertThat(pi).isWaitingAt(TIMER);
    assertThat(outbound()).as("the message was written with the timer's job, which rolled back").isEmpty();
    Job retry = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(retry.getId()).isEqualTo(timer.getId());
    theRetrySendsItOnce(pi, retry, "job:" + timer.getId() + ":" + STEP);
  }

  @Test
  void aStepMovedToInCockpitOutsideAnyJobSendsInTheModificationsTransaction() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start(journey + "-timer", "TRANSACTIONAL", "Votre commande est prête");

    runtime.createProcessInstanceModification(pi.getId()).cancelAllForActivity(TIMER).startBeforeActivity(STEP).execute();

    // recorded in the modification's own transaction (CompliantSendPipeline.queue): it exists
    // because that transaction committed, and no job is needed to anchor it
    assertThat(pi).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    assertThat(management.createJobQuery().processInstanceId(pi.getId()).count()).isZero();
    assertThat(outbound()).singleElement().satisfies(m -> {
      assertThat(m.status()).isEqualTo("DELIVERED");
      assertThat(m.idempotencyKey()).startsWith("tx:");
      assertThat(m.stepId()).isEqualTo(STEP);
    });
  }

  @Test
  void theProductJourneysSendStepsNeedNoJobOfTheirOwn() {
    // the job definitions of the steps' asynchronous continuations, as deployed from processes/
    assertThat(asyncBeforeSteps("abandoned-cart", "Task_SendCartEmail", "Task_SendCartSms", "Task_SendBotAnswer",
        "Task_SendProductGuidance", "Task_SendWhatsAppFollowUp", "Task_SendSmsFollowUp"))
        .as("the cart email follows the start and sends in its transaction; the others follow a timer or the reply's continuation")
        .isEmpty();
    assertThat(asyncBeforeSteps("inbound-conversation", "Task_SendFaqAnswer", "Task_SendOrderStatus"))
        .as("both follow the classification, asynchronous before").isEmpty();
  }

  List<String> asyncBeforeSteps(String journeyKey, String... steps) {
    String definitionId = repository.createProcessDefinitionQuery().processDefinitionKey(journeyKey).latestVersion()
        .singleResult().getId();
    return management.createJobDefinitionQuery().processDefinitionId(definitionId).activityIdIn(steps).list().stream()
        .filter(d -> "async-continuation".equals(d.getJobType()))
        .map(org.camunda.bpm.engine.management.JobDefinition::getActivityId).sorted().toList();
  }

  @Test
  void aStepRunTwiceInTheSameJobSendsTwiceUnderTwoKeys() {
    String key = journey + "-loop";
    BpmnModelInstance model = Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1)
        .startEvent()
        .intermediateCatchEvent(TIMER).timerWithDuration("PT1H")
        .callActivity(STEP).calledElement(InlineSendSteps.CALLED_ELEMENT).camundaAsyncBefore()
        .camundaIn("channel", "channel").camundaIn("category", "category").camundaIn("text", "text")
        .camundaIn("contactId", "contactId")
        .camundaExecutionListenerExpression(ExecutionListener.EVENTNAME_END, "${execution.setVariable('loops', loops + 1)}")
        .exclusiveGateway("Again")
        .condition("again", "${loops < 2}").connectTo(STEP)
        .moveToNode("Again").condition("done", "${loops >= 2}").receiveTask("Wait_Next").endEvent()
        .done();
    repository.createDeployment().addModelInstance(key + ".bpmn", model).deploy();
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = runtime.createProcessInstanceByKey(key).businessKey(contactId).setVariable("contactId", contactId)
        .setVariable("channel", "SMS").setVariable("category", "TRANSACTIONAL").setVariable("text", "Votre colis arrive")
        .setVariable("loops", 0).execute();
    Job timer = dueTimer(pi);

    assertThat(Jobs.runDue(management, pi.getId())).isEqualTo(1);

    assertThat(pi).isWaitingAt("Wait_Next");
    assertThat(outbound()).extracting(MessageRecord::status).containsExactly("DELIVERED", "DELIVERED");
    assertThat(outbound()).extracting(MessageRecord::idempotencyKey)
        .containsExactlyInAnyOrder("job:" + timer.getId() + ":" + STEP, "job:" + timer.getId() + ":" + STEP + ":2");
  }
}
