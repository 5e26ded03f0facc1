package io.relais.inbound;

import static io.relais.inbound.InboundTestSupport.BRAND_NUMBER;
import static io.relais.inbound.InboundTestSupport.TOKEN;
import static io.relais.inbound.InboundTestSupport.assertTwiml;
import static io.relais.inbound.InboundTestSupport.encode;
import static io.relais.inbound.InboundTestSupport.form;
import static io.relais.inbound.InboundTestSupport.freshPhone;
import static io.relais.inbound.InboundTestSupport.journeyWrote;
import static io.relais.inbound.InboundTestSupport.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.relais.contact.Channel;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The inbound pipeline end to end: signed Twilio webhooks against the running application and
 * engine, replies reaching waiting journeys, conversations started by customers, ordering and
 * durability.
 */
class InboundPipelineTest extends InboundEndToEnd {

  // ---- replies and conversations -------------------------------------------------------------

  @Test
  void aReplyReachesTheJourneyThatWroteAndWaits() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    Map<String, String> form = form(phone, "Oui !");
    assertTwiml(postSigned(form));
    awaitProcessed(contactId);

    assertThat(variable(pid, "firstReply")).isEqualTo("Oui !");
    assertThat(variable(pid, "firstIntent")).isEqualTo("YES");
    assertThat(variable(pid, JourneyMessages.VAR_REPLY_CHANNEL)).isEqualTo("SMS");
    assertThat(variable(pid, JourneyMessages.VAR_REPLY_RECEIVED_AT)).isInstanceOf(Date.class);
    MessageRecord in = messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow();
    assertThat(variable(pid, JourneyMessages.VAR_REPLY_MESSAGE_ID)).isEqualTo(in.id());
    assertThat(in.status()).isEqualTo("PROCESSED");
    assertThat(in.processInstanceId()).isEqualTo(pid);
    assertThat(in.journeyKey()).isEqualTo("inbound-test-waiting-journey");
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).isEmpty();
  }

  @Test
  void aReplyToAWaitingJourneyStartsNoJourneyThatBeginsOnAReply() {
    // a marketer's diagram that starts on the reply message itself must not be started by every
    // reply routed to another journey: the reply is for the journey that wrote, and it only
    String key = "starts-on-a-reply";
    String deployment = repositoryService.createDeployment().addModelInstance(key + ".bpmn",
        org.camunda.bpm.model.bpmn.Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1)
            .startEvent().message(JourneyMessages.CUSTOMER_REPLY).userTask().endEvent().done())
        .deploy().getId();
    try {
      String phone = freshPhone();
      String contactId = contacts.findOrCreateByPhone(phone).id();
      String pid = waitingJourney(contactId, true);
      journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

      assertTwiml(postSigned(form(phone, "Oui")));
      awaitProcessed(contactId);

      assertThat(variable(pid, "firstReply")).isEqualTo("Oui");
      assertThat(historyService.createHistoricProcessInstanceQuery().processDefinitionKey(key).count()).isZero();
    } finally {
      repositoryService.deleteDeployment(deployment, true);
    }
  }

  @Test
  void theJourneysClassificationLeavesTheRoutersEqualVariablesUntouched() {
    // the router gives CustomerReply intent, score and keyword; a journey's "Classify reply" step
    // finds the same and writes nothing, rather than an update and a history update of each
    replyTo(org.camunda.bpm.model.bpmn.Bpmn.createExecutableProcess("classifies-its-reply").camundaHistoryTimeToLive(1)
        .startEvent().intermediateCatchEvent().message(JourneyMessages.CUSTOMER_REPLY).camundaAsyncAfter() // as the product's journeys
        .serviceTask("Task_Classify").camundaDelegateExpression("${classifyReply}").userTask("Task_After").endEvent().done(),
        "9/10", (pid, contactId) -> {
          // the steps after the reply ran with its routing (ReplyContinuationTest)
          assertThat(runtimeService.createProcessInstanceQuery().processInstanceId(pid).activityIdIn("Task_After").count()).isEqualTo(1);
          assertThat(variable(pid, JourneyMessages.VAR_INTENT)).isEqualTo("SCORE");
          assertThat(variable(pid, ReplyIntents.VAR_SCORE)).isEqualTo(9);
          for (String name : List.of(JourneyMessages.VAR_INTENT, ReplyIntents.VAR_SCORE, ReplyIntents.VAR_KEYWORD)) {
            assertThat(jdbc.queryForObject("select rev_ from act_ru_variable where proc_inst_id_ = ? and name_ = ?", Integer.class, pid, name))
                .as("revision of %s: written once, by the delivery", name).isEqualTo(1);
          }
        });
  }

  @Test
  void aReplyReachesEveryBranchOfTheJourneyThatWaitsForItInParallel() {
    replyTo(org.camunda.bpm.model.bpmn.Bpmn.createExecutableProcess("waits-in-two-branches").camundaHistoryTimeToLive(1)
        .startEvent().parallelGateway("Fork")
        .intermediateCatchEvent("Event_ReplyA").message(JourneyMessages.CUSTOMER_REPLY).userTask("Task_A").endEvent()
        .moveToNode("Fork")
        .intermediateCatchEvent("Event_ReplyB").message(JourneyMessages.CUSTOMER_REPLY).userTask("Task_B").endEvent()
        .done(),
        "Oui", (pid, contactId) -> {
          assertThat(runtimeService.createProcessInstanceQuery().processInstanceId(pid).activityIdIn("Task_A").count()).isEqualTo(1);
          assertThat(runtimeService.createProcessInstanceQuery().processInstanceId(pid).activityIdIn("Task_B").count()).isEqualTo(1);
          assertThat(runtimeService.createEventSubscriptionQuery().processInstanceId(pid).count()).isZero();
          assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).isEmpty();
        });
  }

  /**
   * Deploys the diagram, starts it for a new contact it wrote to a minute ago, routes the
   * customer's signed reply, then runs the checks (journey id, contact id) and removes the
   * deployment.
   */
  private void replyTo(org.camunda.bpm.model.bpmn.BpmnModelInstance model, String text, BiConsumer<String, String> checks) {
    String key = model.getModelElementsByType(org.camunda.bpm.model.bpmn.instance.Process.class).iterator().next().getId();
    String deployment = repositoryService.createDeployment().addModelInstance(key + ".bpmn", model).deploy().getId();
    try {
      String phone = freshPhone();
      String contactId = contacts.findOrCreateByPhone(phone).id();
      String pid = runtimeService.startProcessInstanceByKey(key, contactId).getId();
      journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

      assertTwiml(postSigned(form(phone, text)));
      awaitProcessed(contactId);
      checks.accept(pid, contactId);
    } finally {
      repositoryService.deleteDeployment(deployment, true);
    }
  }

  @Test
  void aSuspendedJourneyDoesNotTakeTheReply() {
    // an operator suspended it (Cockpit): it neither moves nor keeps the customer waiting; the
    // customer's message starts a conversation, as when no journey waits
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));
    runtimeService.suspendProcessInstanceById(pid);
    try {
      assertTwiml(postSigned(form(phone, "Oui")));
      awaitProcessed(contactId);

      assertThat(variable(pid, "firstReply")).isNull();
      assertThat(runtimeService.createEventSubscriptionQuery().processInstanceId(pid)
          .eventName(JourneyMessages.CUSTOMER_REPLY).count()).as("still waits").isEqualTo(1);
      assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).hasSize(1);
    } finally {
      runtimeService.activateProcessInstanceById(pid);
    }
  }

  @Test
  void twoQuickRepliesReachTheJourneyInOrder() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    assertTwiml(postSigned(form(phone, "premier message")));
    assertTwiml(postSigned(form(phone, "second message")));
    awaitProcessed(contactId);

    assertThat(variable(pid, "firstReply")).isEqualTo("premier message");
    assertThat(variable(pid, "secondReply")).isEqualTo("second message");
    assertThat(runtimeService.createProcessInstanceQuery().processInstanceId(pid).singleResult()).isNotNull();
  }

  @Test
  void aSecondReplyWritesOnlyTheVariablesItChanges() {
    // the engine would write an equal value as a change (an update of the variable and a read of
    // its history): the second reply's channel, score, keyword and contact id stay as the first wrote them
    String key = "waits-for-two-replies";
    String deployment = repositoryService.createDeployment().addModelInstance(key + ".bpmn",
        org.camunda.bpm.model.bpmn.Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent()
            .intermediateCatchEvent("Event_First").message(JourneyMessages.CUSTOMER_REPLY)
            .intermediateCatchEvent("Event_Second").message(JourneyMessages.CUSTOMER_REPLY)
            .userTask("Task_After").endEvent().done())
        .deploy().getId();
    try {
      String phone = freshPhone();
      String contactId = contacts.findOrCreateByPhone(phone).id();
      String pid = runtimeService.startProcessInstanceByKey(key, contactId).getId();
      journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

      assertTwiml(postSigned(form(phone, "Oui")));
      awaitDrained(contactId, "the first reply taken",
          () -> runtimeService.createEventSubscriptionQuery().processInstanceId(pid).activityId("Event_Second").count() == 1);
      assertTwiml(postSigned(form(phone, "Non merci")));
      awaitDrained(contactId, "the second reply taken",
          () -> runtimeService.createProcessInstanceQuery().processInstanceId(pid).activityIdIn("Task_After").count() == 1);

      assertThat(variable(pid, JourneyMessages.VAR_REPLY_TEXT)).isEqualTo("Non merci");
      assertThat(variable(pid, JourneyMessages.VAR_INTENT)).isEqualTo("NO");
      assertThat(variable(pid, JourneyMessages.VAR_REPLY_CHANNEL)).isEqualTo("SMS");
      assertThat(variable(pid, JourneyMessages.VAR_CONTACT_ID)).isEqualTo(contactId);
      assertThat(historyService.createHistoricVariableInstanceQuery().processInstanceId(pid)
          .variableName(JourneyMessages.VAR_REPLY_TEXT).singleResult().getValue()).isEqualTo("Non merci");
      Map<String, Integer> expected = Map.of(JourneyMessages.VAR_REPLY_TEXT, 2, JourneyMessages.VAR_REPLY_MESSAGE_ID, 2,
          JourneyMessages.VAR_REPLY_RECEIVED_AT, 2, JourneyMessages.VAR_INTENT, 2,
          JourneyMessages.VAR_REPLY_CHANNEL, 1, JourneyMessages.VAR_CONTACT_ID, 1, ReplyIntents.VAR_SCORE, 1,
          ReplyIntents.VAR_KEYWORD, 1);
      expected.forEach((name, rev) -> assertThat(
          jdbc.queryForObject("select rev_ from act_ru_variable where proc_inst_id_ = ? and name_ = ?", Integer.class, pid, name))
          .as("revision of %s", name).isEqualTo(rev));
    } finally {
      repositoryService.deleteDeployment(deployment, true);
    }
  }

  @Test
  void aReplyBeforeTheJourneyWaitsIsKeptForIt() {
    Instant t0 = Instant.parse("2026-07-10T10:00:00Z");
    ClockUtil.setCurrentTime(Date.from(t0));
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, false); // its first step has not run yet
    journeyWrote(messageLog, contactId, Channel.SMS, pid, t0.minusSeconds(5));

    Map<String, String> form = form(phone, "Je veux un retour");
    assertTwiml(postSigned(form));
    drainWithTheWebhooksWorker(contactId);
    assertThat(messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow().status()).isEqualTo("RECEIVED");
    assertThat(processor.unfinished(contactId)).isEqualTo(1);

    Jobs.runDue(managementService, pid); // the journey reaches its wait
    ClockUtil.setCurrentTime(Date.from(t0.plusSeconds(2)));
    awaitProcessed(contactId);

    assertThat(variable(pid, "firstReply")).isEqualTo("Je veux un retour");
    assertThat(variable(pid, "firstIntent")).isEqualTo("RETURN");
  }

  @Test
  void aReplyKeptTooLongStartsAConversation() {
    Instant t0 = Instant.parse("2026-07-10T10:00:00Z");
    ClockUtil.setCurrentTime(Date.from(t0));
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, false);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, t0.minusSeconds(5));

    assertTwiml(postSigned(form(phone, "Bonjour ?")));
    drainWithTheWebhooksWorker(contactId);
    ClockUtil.setCurrentTime(Date.from(t0.plus(Duration.ofMinutes(2))));
    awaitProcessed(contactId);

    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).hasSize(1);
  }

  @Test
  void aStrangerWritingFirstStartsTheInboundConversation() {
    String phone = freshPhone();
    Map<String, String> form = form(phone, "Bonjour, vous avez ce pull en bleu ?");
    assertTwiml(postSigned(form));
    String contactId = contacts.findByPhone(phone).orElseThrow().id();
    awaitProcessed(contactId);

    List<HistoricProcessInstance> started = startedBy(JourneyMessages.CONVERSATION_STARTED, contactId);
    assertThat(started).hasSize(1);
    String pid = started.get(0).getId();
    assertThat(variable(pid, JourneyMessages.VAR_REPLY_TEXT)).isEqualTo("Bonjour, vous avez ce pull en bleu ?");
    assertThat(variable(pid, JourneyMessages.VAR_INTENT)).isEqualTo("QUESTION");
    assertThat(variable(pid, JourneyMessages.VAR_CONTACT_ID)).isEqualTo(contactId);
    assertThat(consent.history(contactId)).isEmpty(); // a stranger gets no consent
  }

  @Test
  void aCampaignKeywordStartsTheKeywordJourney() {
    String phone = freshPhone();
    assertTwiml(postSigned(form(phone, "Quiz supplémentaire !")));
    String contactId = contacts.findByPhone(phone).orElseThrow().id();
    awaitProcessed(contactId);

    List<HistoricProcessInstance> started = startedBy(JourneyMessages.KEYWORD_RECEIVED, contactId);
    assertThat(started).hasSize(1);
    assertThat(variable(started.get(0).getId(), ReplyIntents.VAR_KEYWORD)).isEqualTo("QUIZ");
    assertThat(variable(started.get(0).getId(), JourneyMessages.VAR_INTENT)).isEqualTo("KEYWORD");
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).isEmpty();
  }

  @Test
  void whatsAppMessagesOpenTheSessionWindow() {
    String phone = freshPhone();
    Map<String, String> form = form("whatsapp:" + phone, "Bonjour");
    form.put("ProfileName", "Camille");
    assertTwiml(postSigned(form));
    MessageRecord in = messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow();

    assertThat(in.channel()).isEqualTo(Channel.WHATSAPP);
    assertThat(whatsAppSessions.openUntil(in.contactId())).contains(in.createdAt().plus(Duration.ofHours(24)));
    ClockUtil.setCurrentTime(Date.from(in.createdAt().plus(Duration.ofHours(24))));
    assertThat(whatsAppSessions.isOpen(in.contactId())).isFalse();
    String smsOnly = contacts.findOrCreateByPhone(freshPhone()).id();
    assertThat(whatsAppSessions.openUntil(smsOnly)).isEmpty();
  }

  // ---- durability -----------------------------------------------------------------------------

  @Test
  void aReplayIsAnsweredButStoredAndProcessedOnce() {
    String phone = freshPhone();
    Map<String, String> form = form(phone, "Bonjour");
    assertTwiml(postSigned(form));
    assertTwiml(postSigned(form));
    String contactId = contacts.findByPhone(phone).orElseThrow().id();
    awaitProcessed(contactId);
    assertTwiml(postSigned(form));

    assertThat(jdbc.queryForObject("select count(*) from message where provider_id = ?", Integer.class, form.get("MessageSid"))).isEqualTo(1);
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).hasSize(1);
  }

  @Test
  void aMessageStoredButNeverProcessedIsTakenOverByTheSweeper() {
    // as if the node died right after answering Twilio
    String contactId = contacts.findOrCreateByPhone(freshPhone()).id();
    Instant received = Instant.now().minusSeconds(30);
    MessageRecord m = MessageRecord.inbound(java.util.UUID.randomUUID().toString(), contactId, Channel.SMS, "Bonjour",
        "+33600000000", BRAND_NUMBER, "TWILIO", InboundTestSupport.sid(), received);
    messageLog.insert(m);
    queue.add(m.id(), contactId, false, received, received.plusSeconds(3));
    jdbc.update("update inbound_queue set attempts = 1, claimed_by = 'dead-node', claimed_until = ? where message_id = ?",
        java.sql.Timestamp.from(received.plusSeconds(10)), m.id());

    processor.sweep();
    awaitProcessed(contactId);

    assertThat(messageLog.find(m.id()).orElseThrow().status()).isEqualTo("PROCESSED");
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).hasSize(1);
  }

  @Test
  void theSimulatorUsesTheSameIntake() {
    String phone = freshPhone();
    IntakeResult r = intake.receive(InboundMessage.text("SIMULATOR", "SIM-" + InboundTestSupport.sid(), phone, BRAND_NUMBER, "Où est ma commande ?"));
    awaitProcessed(r.contactId());
    assertThat(r.duplicate()).isFalse();
    List<HistoricProcessInstance> started = startedBy(JourneyMessages.CONVERSATION_STARTED, r.contactId());
    assertThat(started).hasSize(1);
    assertThat(variable(started.get(0).getId(), JourneyMessages.VAR_INTENT)).isEqualTo("ORDER_STATUS");
  }

  @Test
  void twoWorkersFailingOneAttemptCountItOnceAndTheLastAttemptParks() {
    // a failure is recorded after its transaction rolled back: a second worker may have taken the
    // message and failed in between, from the same count
    String contactId = contacts.findOrCreateByPhone(freshPhone()).id();
    String id = java.util.UUID.randomUUID().toString();
    queue.add(id, contactId, false, Instant.now(), Instant.now().plusSeconds(3600));
    jdbc.update("update inbound_queue set attempts = 8 where message_id = ?", id);
    String attempts = "select attempts from inbound_queue where message_id = ?";

    assertThat(queue.failed(id, 8, Instant.now(), "first worker", 10)).isFalse();
    assertThat(queue.failed(id, 8, Instant.now(), "second worker, same attempt", 10)).isFalse();
    assertThat(jdbc.queryForObject(attempts, Integer.class, id)).isEqualTo(9);

    assertThat(queue.failed(id, 9, Instant.now(), "last attempt", 10)).as("parked by this failure").isTrue();
    assertThat(queue.failed(id, 9, Instant.now(), "same last attempt, another worker", 10)).isFalse();
    assertThat(jdbc.queryForObject(attempts, Integer.class, id)).isEqualTo(10);
    assertThat(jdbc.queryForObject("select last_error from inbound_queue where message_id = ?", String.class, id)).isEqualTo("last attempt");
    assertThat(jdbc.queryForObject("select count(*) from inbound_queue where message_id = ? and parked_at is not null", Integer.class, id)).isEqualTo(1);
    queue.remove(id);
  }

  @Test
  void aMessageThatKeepsFailingIsParkedAndNoLongerHoldsBackTheNextReplies() {
    ParkedReply parkedReply = parkedReplyToABrokenJourney("Ma commande n'est pas arrivée");
    String phone = parkedReply.phone();
    String contactId = parkedReply.contactId();
    String pid = parkedReply.processInstanceId();
    String firstId = parkedReply.messageId();
    assertThat(jdbc.queryForObject("select attempts from inbound_queue where message_id = ?", Integer.class, firstId))
        .as("parked after its tenth failed attempt").isEqualTo(10);
    var parked = InboundTestSupport.get(port, "/api/inbound/parked", "admin");
    assertThat(parked.statusCode()).isEqualTo(200);
    assertThat(parked.body()).contains(firstId).contains("relaisNoSuchBean");
    assertThat(messageLog.find(firstId)).as("still stored, in the transcript").isPresent();
    int before = processor.parked();

    // the operator ends the broken journey; the next reply is not held back behind the parked one
    runtimeService.deleteProcessInstance(pid, "broken journey fixed by an operator");
    assertTwiml(postSigned(form(phone, "Bonjour ?")));
    awaitUnfinished(contactId, 1);
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).hasSize(1);

    // put back, the parked message is processed now that its cause is gone
    var retried = InboundTestSupport.postAs(port, "/api/inbound/parked/retry", "admin");
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(processor.parked()).isEqualTo(before - 1);
    // the worker the retry started and this drain race for it: wait for the queue row's removal
    // and the message's status together (a message removed from the queue but never processed
    // fails here, after 15 s)
    awaitDrained(contactId, "the retried message processed", () -> processor.unfinished(contactId) == 0
        && "PROCESSED".equals(messageLog.find(firstId).orElseThrow().status()));
    MessageRecord retriedMessage = messageLog.find(firstId).orElseThrow();
    assertThat(retriedMessage.reason()).contains("started journey");
  }

  @Test
  void oneParkedMessageIsPutBackByItsIdAndTheOthersStayParked() {
    ParkedReply fixed = parkedReplyToABrokenJourney("Où en est ma commande ?");
    ParkedReply stillBroken = parkedReplyToABrokenJourney("Je voudrais un échange");

    runtimeService.deleteProcessInstance(fixed.processInstanceId(), "broken journey fixed by an operator");
    var retried = InboundTestSupport.postAs(port, "/api/inbound/parked/" + fixed.messageId() + "/retry", "admin");
    assertThat(retried.statusCode()).isEqualTo(200);
    assertThat(retried.body()).contains("\"retried\":1");
    awaitDrained(fixed.contactId(), "the message put back processed", () -> processor.unfinished(fixed.contactId()) == 0
        && "PROCESSED".equals(messageLog.find(fixed.messageId()).orElseThrow().status()));
    assertThat(parkedAt(stillBroken.messageId())).as("the other parked message stays parked").isNotNull();

    var again = InboundTestSupport.postAs(port, "/api/inbound/parked/" + fixed.messageId() + "/retry", "admin");
    assertThat(again.statusCode()).as("no longer parked").isEqualTo(404);
    assertThat(again.body()).contains("messageId").contains(fixed.messageId());
    var unknown = InboundTestSupport.postAs(port, "/api/inbound/parked/no-such-message/retry", "admin");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("messageId");
    var agent = InboundTestSupport.postAs(port, "/api/inbound/parked/" + stillBroken.messageId() + "/retry", "agent");
    assertThat(agent.statusCode()).as("putting a message back is a write, which agents may not do").isEqualTo(403);
    assertThat(parkedAt(stillBroken.messageId())).isNotNull();

    // the second one too, once its journey is gone: nothing of this test stays parked
    runtimeService.deleteProcessInstance(stillBroken.processInstanceId(), "broken journey fixed by an operator");
    assertThat(InboundTestSupport.postAs(port, "/api/inbound/parked/" + stillBroken.messageId() + "/retry", "admin").statusCode())
        .isEqualTo(200);
    awaitDrained(stillBroken.contactId(), "the second message put back processed",
        () -> processor.unfinished(stillBroken.contactId()) == 0);
  }

  /** A reply parked after ten failed attempts, to a journey whose step after the reply always fails. */
  record ParkedReply(String phone, String contactId, String processInstanceId, String messageId) {}

  ParkedReply parkedReplyToABrokenJourney(String text) {
    // a journey whose answer to a reply fails every time (a broken expression after the wait)
    repositoryService.createDeployment().addModelInstance("inbound-test-broken-journey.bpmn",
        org.camunda.bpm.model.bpmn.Bpmn.createExecutableProcess("inbound-test-broken-journey").camundaHistoryTimeToLive(1)
            .startEvent()
            .intermediateCatchEvent("Event_Reply").message(JourneyMessages.CUSTOMER_REPLY)
            .serviceTask("Task_Broken").camundaExpression("${relaisNoSuchBean.answer()}")
            .endEvent().done()).deploy();
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = runtimeService.startProcessInstanceByKey("inbound-test-broken-journey", contactId).getId();
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    Map<String, String> reply = form(phone, text);
    assertTwiml(postSigned(reply));
    String messageId = messageLog.findByProviderId("TWILIO", reply.get("MessageSid")).orElseThrow().id();
    // its first attempt (right after the webhook) fails; then, as if it had failed all but its last
    // allowed attempt already, it is tried once more
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (jdbc.queryForObject("select attempts from inbound_queue where message_id = ?", Integer.class, messageId) == 0
        && System.nanoTime() < end) {
      processor.drain(contactId);
    }
    jdbc.update("update inbound_queue set attempts = 9, next_attempt_at = ? where message_id = ?",
        java.sql.Timestamp.from(Instant.now().minusSeconds(1)), messageId);
    // this drain, or the sweeper's if it took the message first, makes the tenth attempt
    awaitDrained(contactId, "parked after 10 failed attempts", () -> parkedAt(messageId) != null);
    return new ParkedReply(phone, contactId, pid, messageId);
  }

  java.sql.Timestamp parkedAt(String messageId) {
    return jdbc.queryForList("select parked_at from inbound_queue where message_id = ?", java.sql.Timestamp.class, messageId)
        .stream().filter(java.util.Objects::nonNull).findFirst().orElse(null);
  }
}
