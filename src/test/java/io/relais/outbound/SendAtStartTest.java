package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentEvent;
import io.relais.contact.ConsentLedger;
import io.relais.contact.ConsentMethod;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.ConsentStatus;
import io.relais.contact.ContactDetails;
import io.relais.contact.ContactDirectory;
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
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Incident;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A send step right after a journey's start event (the cart email after {@code CartAbandoned})
 * sends in the transaction that starts the journey: no job, the message exists if and only if the
 * start committed, quiet hours still wait on the step, and a failure goes on in a job of the
 * step's own as in any other send. An external provider gets the message from the outbox, and a
 * message it finally refused raises an incident on its journey, which went on.
 */
@RelaisSpringTest
class SendAtStartTest {

  static final Instant SATURDAY_EVENING = Instant.parse("2026-07-11T18:30:00Z"); // 20:30 Paris
  static final Instant MONDAY_OPENING = Instant.parse("2026-07-13T06:00:00Z"); // 08:00 Paris
  static final Instant MONDAY_MORNING = Instant.parse("2026-07-13T08:00:00Z"); // 10:00 Paris
  static final String STEP = "Call_Send";

  @Autowired ProcessEngine engine;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired ManagementService management;
  @Autowired ContactRegistry contacts;
  @Autowired ConsentLedger ledger;
  @Autowired MessageLog messages;
  @Autowired PlatformTransactionManager transactions;

  String journey;
  String contactId;

  @BeforeEach
  void setUp() {
    AbstractAssertions.init(engine);
    journey = "send-at-start-" + UUID.randomUUID().toString().substring(0, 8);
    BpmnModelInstance model = Bpmn.createExecutableProcess(journey).camundaHistoryTimeToLive(1)
        .startEvent()
        .callActivity(STEP).calledElement(InlineSendSteps.CALLED_ELEMENT).camundaAsyncBefore()
        .camundaIn("channel", "channel").camundaIn("category", "category").camundaIn("text", "text")
        .camundaOut("sendOutcome", "sendOutcome").camundaOut("sendMessageId", "sendMessageId")
        .receiveTask("Wait_Next")
        .endEvent()
        .done();
    TestModels.passingBusinessKey(model, STEP);
    repository.createDeployment().addModelInstance(journey + ".bpmn", model).deploy();

    contactId = "at-start-" + UUID.randomUUID();
    contacts.save(new ContactInput(contactId, "+3361" + String.format("%07d", (long) (Math.random() * 10_000_000)), null,
        "Chloé", null, null, null, null, null, null, null));
    ledger.append(ConsentEvent.of(contactId, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.CHECKBOX, "test", "checkbox-v1").withWording("J'accepte de recevoir les offres par SMS", "v1"));
  }

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  ProcessInstance start(String category, String text) {
    return runtime.createProcessInstanceByKey(journey).businessKey(contactId)
        .setVariable("channel", "SMS").setVariable("category", category).setVariable("text", text).execute();
  }

  List<MessageRecord> outbound() {
    return messages.transcript(contactId).stream().filter(m -> m.direction() == Direction.OUT).toList();
  }

  @Test
  void theFirstStepSendsInTheTransactionThatStartsTheJourneyWithNoJob() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start("MARKETING", "Bonjour {{firstName}}, -20% cette semaine");

    assertThat(pi).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    assertThat(management.createJobQuery().processInstanceId(pi.getId()).count()).isZero();
    assertThat(outbound()).singleElement().satisfies(m -> {
      assertThat(m.status()).isEqualTo("DELIVERED");
      assertThat(m.idempotencyKey()).startsWith("tx:");
      assertThat(m.processInstanceId()).isEqualTo(pi.getId());
      assertThat(m.stepId()).isEqualTo(STEP);
      assertThat(m.body()).startsWith("Bonjour Chloé, -20% cette semaine");
      assertThat(m.id()).isEqualTo(runtime.getVariable(pi.getId(), "sendMessageId"));
    });
  }

  @Test
  void aStartThatRollsBackLeavesNeitherTheJourneyNorItsMessage() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    TransactionTemplate tx = new TransactionTemplate(transactions);
    assertThatThrownBy(() -> tx.executeWithoutResult(status -> {
      start("TRANSACTIONAL", "Votre commande est prête");
      throw new IllegalStateException("the caller failed after the start");
    })).hasMessageContaining("the caller failed");

    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(contactId).count()).isZero();
    assertThat(outbound()).as("the message was written in the start's transaction").isEmpty();
  }

  @Test
  void aPromoStartedInQuietHoursWaitsOnTheStepUntilTheOpening() {
    ClockUtil.setCurrentTime(Date.from(SATURDAY_EVENING));
    ProcessInstance pi = start("MARKETING", "Bonjour {{firstName}}, -20% cette semaine");

    assertThat(pi).isWaitingAt(STEP);
    Job wait = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(wait.getDuedate()).isEqualTo(Date.from(MONDAY_OPENING));
    assertThat(outbound()).singleElement().satisfies(m -> assertThat(m.status()).isEqualTo("DEFERRED"));

    ClockUtil.setCurrentTime(Date.from(MONDAY_OPENING));
    Jobs.runDue(management, pi.getId());
    assertThat(pi).isWaitingAt("Wait_Next").variables().containsEntry("sendOutcome", "SENT");
    assertThat(outbound()).extracting(MessageRecord::status).containsExactly("DEFERRED", "DELIVERED");
  }

  @Test
  void aFailedSendAtTheStartGoesOnInAJobOfTheStepsOwnThenBecomesAnIncidentOnTheStep() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start("TRANSACTIONAL", "Votre commande {{orderId}} est prête");

    // the journey started; the send's first failure is its own job's first attempt
    assertThat(pi).isWaitingAt(STEP);
    Job own = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(own.getExceptionMessage()).contains("MISSING_VARIABLE");
    assertThat(own.getDuedate()).isEqualTo(Date.from(MONDAY_MORNING.plusSeconds(30)));
    for (int attempt = 0; attempt < 10 && runtime.createIncidentQuery().processInstanceId(pi.getId()).count() == 0; attempt++) {
      Job due = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
      ClockUtil.setCurrentTime(due.getDuedate());
      Jobs.runDue(management, pi.getId());
    }
    Incident incident = runtime.createIncidentQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(incident.getActivityId()).isEqualTo(STEP);
    assertThat(incident.getIncidentMessage()).contains("MISSING_VARIABLE");
    assertThat(outbound()).as("every attempt took over the same message").singleElement()
        .satisfies(m -> assertThat(m.status()).isEqualTo("FAILED"));
  }

  @Autowired ContactDirectory directory;
  @Autowired ConsentPolicy consent;
  @Autowired ConsentChanges consentChanges;
  @Autowired OutboundStore store;
  @Autowired OutboundProperties props;
  @Autowired Clock clock;
  @Autowired ApplicationEventPublisher events;
  @Autowired JdbcTemplate jdbc;
  @Autowired ObjectProvider<ProcessEngine> engineProvider;

  @Test
  void aQueuedMessageTheProviderFinallyRefusedRaisesAnIncidentOnItsJourney() throws InterruptedException {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    ProcessInstance pi = start("TRANSACTIONAL", "Votre commande est prête");
    OutboundFixture.RecordingProvider refusing = new OutboundFixture.RecordingProvider("FAKE_TWILIO");
    // as Twilio words it: the refusal quotes the recipient's number, which must not reach the incident or the message row
    String phone = contacts.find(contactId).orElseThrow().phone();
    refusing.failWith = new MessageProvider.ProviderException("The 'To' number " + phone + " is not a valid phone number", "21211", false,
        new IllegalStateException("HTTP 400 for " + phone));
    // the production pipeline and outbox, with a provider that refuses every message
    CompliantSendPipeline pipeline = new CompliantSendPipeline(directory, consent, consentChanges, messages, store, props,
        channel -> refusing, clock, transactions, events, null);
    SendOutbox outbox = new SendOutbox(pipeline, messages, jdbc, transactions, clock, engineProvider, DeliveryProperties.defaults(), 1, 10, 2,
        Duration.ofSeconds(30), 10);
    try {
      String id = pipeline.queue(new SendRequest("tx:" + UUID.randomUUID(), contactId, Channel.SMS, MessageCategory.TRANSACTIONAL,
          "Votre colis arrive", null, Map.of(), null, false, new JourneyStep(pi.getId(), journey, 1, STEP), null)).messageId();
      outbox.dispatch(id);
      ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING.plusSeconds(30)));
      outbox.dispatch(id);

      MessageRecord failed = messages.find(id).orElseThrow();
      assertThat(failed.status()).isEqualTo("FAILED");
      assertThat(failed.reason()).contains("not a valid phone number").doesNotContain(phone.substring(3));
      Incident incident = runtime.createIncidentQuery().processInstanceId(pi.getId()).incidentType(SendOutbox.INCIDENT_TYPE)
          .singleResult();
      assertThat(incident).isNotNull();
      assertThat(incident.getConfiguration()).isEqualTo(id);
      assertThat(incident.getIncidentMessage()).contains("after 2 attempt(s)").contains("not a valid phone number")
          .contains(ContactDetails.PHONE_MARK).doesNotContain(phone.substring(3));
      assertThat(pi).isWaitingAt("Wait_Next");
    } finally {
      outbox.stop();
    }
  }
}
