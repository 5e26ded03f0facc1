package io.relais.inbound;

import static io.relais.inbound.InboundTestSupport.assertTwiml;
import static io.relais.inbound.InboundTestSupport.form;
import static io.relais.inbound.InboundTestSupport.freshPhone;
import static io.relais.inbound.InboundTestSupport.journeyWrote;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.ConsentMethod;
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

    assertThat(consent.of(contactId))
        .extracting(InboundFakes.Change::kind, InboundFakes.Change::channel, InboundFakes.Change::purpose,
            InboundFakes.Change::method, InboundFakes.Change::proof)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("WITHDRAW", Channel.SMS, null, ConsentMethod.KEYWORD, form.get("MessageSid")),
            org.assertj.core.groups.Tuple.tuple("WITHDRAW", Channel.RCS, null, ConsentMethod.KEYWORD, form.get("MessageSid")));
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
  void stopFollowedByTheShortCodeIsAnOptOutButStopSvpGoesToTheJourney() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    assertTwiml(postSigned(form(phone, "STOP SVP")));
    awaitProcessed(contactId);
    assertThat(consent.of(contactId)).isEmpty();
    assertThat(variable(pid, "firstReply")).isEqualTo("STOP SVP");

    assertTwiml(postSigned(form(phone, "stop 36180")));
    awaitProcessed(contactId);
    assertThat(consent.of(contactId)).extracting(InboundFakes.Change::kind).containsOnly("WITHDRAW");
  }

  @Test
  void whatsAppStopWithdrawsWhatsAppOnly() {
    String phone = freshPhone();
    assertTwiml(postSigned(form("whatsapp:" + phone, "ARRÊT")));
    String contactId = contacts.findByPhone(phone).orElseThrow().id();
    awaitProcessed(contactId);

    assertThat(consent.of(contactId)).extracting(InboundFakes.Change::channel).containsExactly(Channel.WHATSAPP);
    assertThat(confirmations(contactId)).singleElement().satisfies(m -> assertThat(m.body()).contains("par WhatsApp"));
  }

  @Test
  void startRegrantsOnlyWhereTheCustomerHadSubscribed() {
    String known = freshPhone();
    String knownId = contacts.findOrCreateByPhone(known).id();
    consent.subscribedBefore.add(knownId);
    assertTwiml(postSigned(form(known, "Start")));
    awaitProcessed(knownId);
    assertThat(consent.of(knownId)).extracting(InboundFakes.Change::kind).containsExactly("REGRANT");
    assertThat(confirmations(knownId)).singleElement().satisfies(m -> assertThat(m.body()).startsWith("Vous êtes réinscrit(e)"));
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, knownId)).isEmpty();

    String stranger = freshPhone();
    assertTwiml(postSigned(form(stranger, "START")));
    String strangerId = contacts.findByPhone(stranger).orElseThrow().id();
    awaitProcessed(strangerId);
    assertThat(consent.of(strangerId)).isEmpty();
    assertThat(confirmations(strangerId)).isEmpty();
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, strangerId)).hasSize(1);
  }

  @Test
  void ouiConfirmsAPendingDoubleOptInAndStillReachesTheWaitingJourney() {
    String phone = freshPhone();
    String contactId = contacts.findOrCreateByPhone(phone).id();
    consent.subscribedBefore.add(contactId); // the fake's way of saying "double opt-in pending"
    String pid = waitingJourney(contactId, true);
    journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));

    assertTwiml(postSigned(form(phone, "Oui")));
    awaitProcessed(contactId);

    assertThat(consent.of(contactId)).extracting(InboundFakes.Change::kind).containsExactly("REGRANT");
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
    assertThat(consent.of(contactId)).isEmpty();
    assertThat(startedBy(JourneyMessages.CONVERSATION_STARTED, contactId)).isEmpty();
  }

  @Test
  void pauseSuspendsMarketingForThirtyDaysAndSaysUntilWhen() {
    ClockUtil.setCurrentTime(Date.from(Instant.parse("2026-07-10T10:00:00Z")));
    String phone = freshPhone();
    assertTwiml(postSigned(form(phone, "pause")));
    String contactId = contacts.findByPhone(phone).orElseThrow().id();
    awaitProcessed(contactId);

    assertThat(consent.of(contactId)).singleElement().satisfies(c -> {
      assertThat(c.kind()).isEqualTo("PAUSE");
      assertThat(c.until()).isEqualTo(Instant.parse("2026-08-09T10:00:00Z"));
    });
    assertThat(confirmations(contactId)).singleElement().satisfies(m -> assertThat(m.body()).contains("jusqu'au 09/08/2026"));
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
    assertTwiml(postSigned(form(phone, "STOP")));
    awaitUnfinished(contactId, 1); // the reply still waits for its journey, STOP did not

    assertThat(consent.of(contactId)).extracting(InboundFakes.Change::kind).contains("WITHDRAW");
    assertThat(confirmations(contactId)).hasSize(1);
  }

  List<MessageRecord> confirmations(String contactId) {
    return messageLog.transcript(contactId).stream()
        .filter(m -> m.direction() == Direction.OUT && "COMPLIANCE".equals(m.category()))
        .toList();
  }
}
