package io.relais.contact;

import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import io.relais.journey.JourneyMessages;
import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import io.relais.web.ConflictException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** processes/double-opt-in.bpmn: confirmed by OUI, expired without answer, unclear answers, refusal. */
@RelaisSpringTest
class DoubleOptInJourneyTest {

  private static final Instant START = Instant.parse("2026-04-14T08:00:00Z");

  @Autowired ProcessEngine engine;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired ManagementService management;
  @Autowired DoubleOptIns doubleOptIns;
  @Autowired ContactRegistry registry;
  @Autowired ConsentPolicy policy;
  @Autowired ConsentLedger ledger;
  @Autowired MessageLog messages;

  private String contactId;

  @BeforeEach
  void setUp() {
    AbstractAssertions.init(engine);
    // The outbound feature provides relais-send (processes/); a stub stands in only where it is missing.
    if (repository.createProcessDefinitionQuery().processDefinitionKey("relais-send").count() == 0) {
      repository.createDeployment().name("relais-send-stub").addClasspathResource("bpmn/relais-send-stub.bpmn").deploy();
    }
    ClockUtil.setCurrentTime(Date.from(START));
    contactId = ConsentLedgerTest.freshId();
    registry.save(new ContactInput(contactId, ConsentLedgerTest.freshMobile(), null, null, null, null, null, null, null, null, null));
  }

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  private ProcessInstance startAndSend() {
    ProcessInstance pi = doubleOptIns.start(contactId, Channel.SMS);
    assertThat(pi).isWaitingAt("CallActivity_SendRequest");
    Jobs.runDue(management);
    assertThat(pi).isWaitingAt("Gateway_WaitReply");
    return pi;
  }

  private void reply(String text, String messageId) {
    // the customer answers a minute later (the transcript orders messages by time)
    ClockUtil.setCurrentTime(new Date(ClockUtil.now().getTime() + 60_000));
    runtime.createMessageCorrelation(JourneyMessages.CUSTOMER_REPLY)
        .processInstanceBusinessKey(contactId)
        .setVariable(JourneyMessages.VAR_REPLY_TEXT, text)
        .setVariable(JourneyMessages.VAR_REPLY_MESSAGE_ID, messageId)
        .correlate();
  }

  /** The texts the journey sent to the contact, as recorded by the send pipeline. */
  private List<String> textsSent(ProcessInstance pi) {
    return messages.transcript(contactId).stream()
        .filter(m -> m.direction() == Direction.OUT && pi.getId().equals(m.processInstanceId()) && !"DEFERRED".equals(m.status()))
        .map(MessageRecord::body).toList();
  }

  @Test
  void ouiGrantsSmsMarketingWithTheReplyAsProof() {
    ProcessInstance pi = startAndSend();
    assertThat(textsSent(pi)).containsExactly(
        "Répondez OUI pour confirmer votre inscription aux offres de Relais par SMS. STOP au 36xxx");
    assertThat(policy.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.NO_GRANT);

    reply(" Oui ! ", "SM-reply-1");
    Jobs.runDue(management);

    assertThat(pi).isEnded().hasPassed("EndEvent_Confirmed");
    assertThat(policy.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(policy.check(contactId, Channel.WHATSAPP, Purpose.MARKETING)).isEqualTo(ConsentVerdict.NO_GRANT);
    ConsentEvent grant = ledger.current(contactId).get(0);
    assertThat(grant.method()).isEqualTo(ConsentMethod.DOUBLE_OPT_IN);
    assertThat(grant.proof()).contains("SM-reply-1").contains(pi.getId());
    assertThat(grant.wording()).contains("Répondez OUI");
  }

  @Test
  void noAnswerWithinTheWindowExpiresWithoutGrant() {
    ProcessInstance pi = startAndSend();
    ClockUtil.setCurrentTime(Date.from(START.plus(Duration.ofHours(47))));
    Jobs.runDue(management);
    assertThat(pi).isWaitingAt("Gateway_WaitReply");

    ClockUtil.setCurrentTime(Date.from(START.plus(Duration.ofHours(48)).plusSeconds(1)));
    Jobs.runDue(management);

    assertThat(pi).isEnded().hasPassed("EndEvent_Expired");
    assertThat(policy.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.NO_GRANT);
    assertThat(ledger.history(contactId)).isEmpty();
  }

  @Test
  void anUnclearAnswerAsksOnceMoreThenAYesConfirms() {
    ProcessInstance pi = startAndSend();
    reply("C'est quoi ?", "SM-r1");
    assertThat(pi).isWaitingAt("CallActivity_SendRequest");
    Jobs.runDue(management);
    assertThat(textsSent(pi)).hasSize(2).last().asString().startsWith("Nous n'avons pas compris votre réponse. Répondez OUI");

    reply("OUI.", "SM-r2");
    Jobs.runDue(management);
    assertThat(pi).isEnded().hasPassed("EndEvent_Confirmed");
    assertThat(policy.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
  }

  @Test
  void twoUnclearAnswersEndWithoutGrant() {
    ProcessInstance pi = startAndSend();
    reply("peut-être", "SM-r1");
    Jobs.runDue(management);
    reply("bof", "SM-r2");
    Jobs.runDue(management);
    assertThat(pi).isEnded().hasPassed("EndEvent_NotConfirmed");
    assertThat(policy.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.NO_GRANT);
  }

  @Test
  void nonEndsAtOnceWithoutGrant() {
    ProcessInstance pi = startAndSend();
    reply("Non merci", "SM-r1");
    assertThat(pi).isEnded().hasPassed("EndEvent_NotConfirmed");
    assertThat(textsSent(pi)).hasSize(1);
    assertThat(ledger.history(contactId)).isEmpty();
  }

  @Test
  void aSecondRequestWhileOneWaitsIsRefused() {
    startAndSend();
    assertThatThrownBy(() -> doubleOptIns.start(contactId, Channel.SMS)).isInstanceOf(ConflictException.class);
  }

  @Test
  void answersAreReadWhateverTheirCaseAccentsAndPunctuation() {
    for (String yes : new String[] {"OUI", "oui", "Oui!", " ouí ", "OUI.", "yes", "Yes !!", "oui oui"}) {
      assertThat(DoubleOptIns.classify(yes)).as(yes).isEqualTo(DoubleOptIns.ANSWER_YES);
    }
    for (String no : new String[] {"non", "NON !", "Stop", "ARRÊT"}) {
      assertThat(DoubleOptIns.classify(no)).as(no).isEqualTo(DoubleOptIns.ANSWER_REFUSED);
    }
    for (String other : new String[] {"ouioui", "oui mais non", "", "?"}) {
      assertThat(DoubleOptIns.classify(other)).as(other).isEqualTo(DoubleOptIns.ANSWER_UNCLEAR);
    }
  }
}
