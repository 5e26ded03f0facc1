package io.relais.inbound;

import static io.relais.inbound.InboundTestSupport.assertTwiml;
import static io.relais.inbound.InboundTestSupport.form;
import static io.relais.inbound.InboundTestSupport.freshPhone;
import static io.relais.inbound.InboundTestSupport.journeyWrote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.relais.contact.Channel;
import io.relais.contact.ConsentEvent;
import io.relais.contact.ConsentMethod;
import io.relais.contact.ConsentStatus;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.LegalBasis;
import io.relais.contact.Purpose;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.Test;

/** Compliance keywords act first, with proof, confirmation and the journeys told. */
class InboundComplianceTest extends InboundEndToEnd {

  @Test
  void stopWithdrawsConsentConfirmsAndStopsTheJourneys() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    Map<String, String> form = form(phone, " Stop. ");
    assertTwiml(postSigned(form));
    awaitProcessed(contactId);

    assertThat(consent.history(contactId))
        .extracting(ConsentEvent::status, ConsentEvent::channel, ConsentEvent::purpose, ConsentEvent::method, ConsentEvent::proof)
        .containsExactlyInAnyOrder(
            tuple(ConsentStatus.WITHDRAWN, Channel.SMS, Purpose.MARKETING, ConsentMethod.KEYWORD, form.get("MessageSid")),
            tuple(ConsentStatus.WITHDRAWN, Channel.SMS, Purpose.TRANSACTIONAL, ConsentMethod.KEYWORD, form.get("MessageSid")),
            tuple(ConsentStatus.WITHDRAWN, Channel.RCS, Purpose.MARKETING, ConsentMethod.KEYWORD, form.get("MessageSid")),
            tuple(ConsentStatus.WITHDRAWN, Channel.RCS, Purpose.TRANSACTIONAL, ConsentMethod.KEYWORD, form.get("MessageSid")));
    assertThat(consent.check(contactId, Channel.SMS, Purpose.TRANSACTIONAL)).isEqualTo(ConsentVerdict.WITHDRAWN);
    assertThat(confirmations(contactId)).singleElement().satisfies(m -> {
      assertThat(m.body()).startsWith("Vous êtes désinscrit(e) des messages de ").endsWith(" par SMS. Répondez START pour vous réinscrire.");
      assertThat(m.channel()).isEqualTo(Channel.SMS);
    });
    assertThat(historyService.createHistoricActivityInstanceQuery().processInstanceId(pid).activityId("EndEvent_StoppedByOptOut").count()).isEqualTo(1);
    assertThat(variable(pid, "firstReply")).isNull(); // the journey never saw STOP as a reply
    MessageRecord in = messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow();
    assertThat(in.status()).isEqualTo("PROCESSED");
    assertThat(in.reason()).contains("OPT_OUT");
  }

  @Test
  void stopIsHonouredByTheTimeTheWebhookAnswers() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    consent.append(ConsentEvent.of(contactId, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.CHECKBOX, "test", "form-1").withWording("J'accepte de recevoir les offres par SMS", "v1"));

    assertTwiml(postSigned(form(phone, "ARRÊT")));
    // no waiting for the processor: the withdrawal was committed with the message, before the 200
    assertThat(consent.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);
    awaitProcessed(contactId);
    assertThat(consent.history(contactId)).filteredOn(e -> e.status() == ConsentStatus.WITHDRAWN)
        .as("one withdrawal per channel and purpose, not a second one by the processor").hasSize(4);
    assertThat(confirmations(contactId)).hasSize(1);
  }

  @Test
  void stopFollowedByTheShortCodeIsAnOptOutButStopSvpGoesToTheJourney() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    assertTwiml(postSigned(form(phone, "STOP SVP")));
    awaitProcessed(contactId);
    assertThat(consent.history(contactId)).isEmpty();
    assertThat(variable(pid, "firstReply")).isEqualTo("STOP SVP");

    assertTwiml(postSigned(form(phone, "stop 36180")));
    awaitProcessed(contactId);
    assertThat(consent.history(contactId)).extracting(ConsentEvent::status).containsOnly(ConsentStatus.WITHDRAWN);
  }

  @Test
  void whatsAppStopWithdrawsWhatsAppOnly() {
    String phone = freshPhone();
    assertTwiml(postSigned(form("whatsapp:" + phone, "ARRÊT")));
    String contactId = contacts.findByPhone(phone).orElseThrow().id();
    awaitProcessed(contactId);

    assertThat(consent.history(contactId)).extracting(ConsentEvent::channel).containsOnly(Channel.WHATSAPP);
    assertThat(confirmations(contactId)).singleElement().satisfies(m -> assertThat(m.body()).contains("par WhatsApp"));
  }

  @Test
  void startRegrantsOnlyWhereTheCustomerHadSubscribed() {
    String known = freshPhone();
    String knownId = contacts.findOrCreateByPhone(known).id();
    subscribedThenStopped(knownId);
    assertTwiml(postSigned(form(known, "Start")));
    awaitProcessed(knownId);
    assertThat(consent.check(knownId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(confirmations(knownId)).singleElement().satisfies(m -> assertThat(m.body()).startsWith("Vous êtes réinscrit(e)"));
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, knownId)).isEmpty();

    String stranger = freshPhone();
    assertTwiml(postSigned(form(stranger, "START")));
    String strangerId = contacts.findByPhone(stranger).orElseThrow().id();
    awaitProcessed(strangerId);
    assertThat(consent.history(strangerId)).isEmpty();
    assertThat(confirmations(strangerId)).isEmpty();
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, strangerId)).hasSize(1);
  }

  @Test
  void ouiAnswersThePendingDoubleOptInJourneyAndGrantsMarketing() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String doi = runtimeService.createMessageCorrelation(JourneyMessages.DOUBLE_OPT_IN_REQUESTED)
        .processInstanceBusinessKey(contactId).setVariable("channel", "SMS").correlateStartMessage().getId();
    io.relais.support.Jobs.runDue(managementService); // the request is sent, the journey waits
    assertThat(waits(doi)).isTrue();

    assertTwiml(postSigned(form(phone, "Oui")));
    awaitProcessed(contactId);
    io.relais.support.Jobs.runDue(managementService);

    assertThat(consent.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(consent.history(contactId)).extracting(ConsentEvent::method).contains(ConsentMethod.DOUBLE_OPT_IN);
    assertThat(historyService.createHistoricActivityInstanceQuery().processInstanceId(doi).activityId("CatchEvent_CustomerReply")
        .finished().count()).isEqualTo(1);
  }

  @Test
  void ouiFromARegularCustomerReSubscribesAndStillReachesTheWaitingJourney() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    subscribedThenStopped(contactId);
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    assertTwiml(postSigned(form(phone, "Oui")));
    awaitProcessed(contactId);

    assertThat(consent.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(confirmations(contactId)).singleElement().satisfies(m -> assertThat(m.body()).startsWith("Vous êtes réinscrit(e)"));
    assertThat(variable(pid, "firstReply")).isEqualTo("Oui");
    assertThat(variable(pid, "firstIntent")).isEqualTo("YES");
  }

  @Test
  void helpAnswersWithTheBrandAndStartsNothing() {
    String phone = freshPhone();
    assertTwiml(postSigned(form(phone, "Aide")));
    String contactId = contacts.findByPhone(phone).orElseThrow().id();
    awaitProcessed(contactId);

    assertThat(confirmations(contactId)).singleElement()
        .satisfies(m -> assertThat(m.body()).contains("pour toute question").contains("Répondez STOP"));
    assertThat(consent.history(contactId)).isEmpty();
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).isEmpty();
  }

  @Test
  void pauseSuspendsMarketingForThirtyDaysThenMarketingResumes() {
    ClockUtil.setCurrentTime(Date.from(Instant.parse("2026-07-10T10:00:00Z")));
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    consent.append(ConsentEvent.of(contactId, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.CHECKBOX, "test", "form-1").withWording("J'accepte de recevoir les offres par SMS", "v1"));
    assertTwiml(postSigned(form(phone, "pause")));
    awaitProcessed(contactId);

    assertThat(consent.history(contactId)).filteredOn(e -> e.status() == ConsentStatus.PAUSED).singleElement()
        .satisfies(e -> assertThat(e.pausedUntil()).isEqualTo(Instant.parse("2026-08-09T10:00:00Z")));
    assertThat(consent.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.PAUSED);
    assertThat(confirmations(contactId)).singleElement().satisfies(m -> assertThat(m.body()).contains("jusqu'au 09/08/2026"));

    ClockUtil.setCurrentTime(Date.from(Instant.parse("2026-08-09T10:00:01Z")));
    assertThat(consent.check(contactId, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
  }

  @Test
  void stopOvertakesAReplyKeptForAJourney() {
    Instant t0 = Instant.parse("2026-07-10T10:00:00Z");
    ClockUtil.setCurrentTime(Date.from(t0));
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, false);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, t0.minusSeconds(5));

    assertTwiml(postSigned(form(phone, "Peut-être")));
    // the reply is kept: its journey does not wait yet
    awaitDrained(contactId, "reply kept", () -> jdbc.queryForObject(
        "select count(*) from inbound_queue where contact_id = ? and attempts > 0", Integer.class, contactId) == 1);
    assertTwiml(postSigned(form(phone, "STOP")));
    awaitUnfinished(contactId, 1); // the reply still waits for its journey, STOP did not

    assertThat(consent.history(contactId)).extracting(ConsentEvent::status).contains(ConsentStatus.WITHDRAWN);
    assertThat(confirmations(contactId)).hasSize(1);
  }

  void subscribedThenStopped(String contactId) {
    consent.append(ConsentEvent.of(contactId, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.CHECKBOX, "test", "form-1").withWording("J'accepte de recevoir les offres par SMS", "v1"));
    consent.withdraw(contactId, Channel.SMS, Purpose.MARKETING, ConsentMethod.LINK, "test", "link-1");
  }

  boolean waits(String pid) {
    return runtimeService.createEventSubscriptionQuery().processInstanceId(pid).eventName(JourneyMessages.CUSTOMER_REPLY).count() > 0;
  }

  List<MessageRecord> confirmations(String contactId) {
    return messageLog.transcript(contactId).stream()
        .filter(m -> m.direction() == Direction.OUT && "COMPLIANCE".equals(m.category()))
        .toList();
  }
}
