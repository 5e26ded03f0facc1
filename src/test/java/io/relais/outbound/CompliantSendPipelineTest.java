package io.relais.outbound;

import static io.relais.outbound.OutboundFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.Contact;
import io.relais.contact.HolidayZone;
import io.relais.conversation.MessageRecord;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The policy, rendering and record-then-send rules of the one send pipeline, on H2 with fakes. */
class CompliantSendPipelineTest {

  final OutboundFixture f = new OutboundFixture();

  @Test
  void marketingWithoutAGrantIsNotSentAndRecordedWithWhy() {
    Contact c = f.contact("Léa", HolidayZone.METROPOLE, Map.of());
    SendResult r = f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    assertThat(r.outcome()).isEqualTo(SendOutcome.NO_CONSENT);
    assertThat(r.reason()).isEqualTo("NO_GRANT");
    assertThat(f.phone.sent).isEmpty();
    assertThat(f.messages.find(r.messageId()).orElseThrow().status()).isEqualTo("NO_CONSENT");
  }

  /**
   * A send reads its recipient once: the contact, its consent and whether an agent owns the
   * conversation come from one look-up ({@code ContactRegistry.findForSend}, one statement), not
   * from the directory, the consent policy and the handoff registry one by one. An open handoff
   * read there holds the bot's message back.
   */
  @Test
  void aSendReadsItsRecipientOnceWithItsConsentAndOpenHandoff() {
    Contact c = f.optedIn(Channel.SMS);
    CompliantSendPipeline pipeline = f.pipeline();
    List<Boolean> handoffOpenAsked = new CopyOnWriteArrayList<>();
    pipeline.setConversationOwnership(new ConversationOwnership() {
      @Override
      public boolean mutesBot(String contactId, JourneyStep step, MessageCategory category) {
        throw new AssertionError("the open handoff is read with the contact, not asked again");
      }

      @Override
      public boolean mutesBot(String contactId, JourneyStep step, MessageCategory category, boolean handoffOpen) {
        handoffOpenAsked.add(handoffOpen);
        return contactId.equals(c.id());
      }
    });
    f.contacts.lookups.clear();
    SendResult held = pipeline.send(request("k1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    assertThat(f.contacts.lookups).as("look-ups of the recipient for one send").containsExactly("findForSend");
    assertThat(handoffOpenAsked).containsExactly(false);
    assertThat(held.outcome()).isEqualTo(SendOutcome.DEFERRED);
    assertThat(held.reason()).isEqualTo("HUMAN_OWNS_CONVERSATION");
    assertThat(f.phone.sent).isEmpty();
  }

  @Test
  void suppressedContactsGetNothingButComplianceAnswersStillGo() {
    Contact c = f.optedIn(Channel.SMS);
    f.contacts.set(c.id(), Channel.SMS, ConsentVerdict.SUPPRESSED);
    assertThat(f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Colis")).outcome())
        .isEqualTo(SendOutcome.SUPPRESSED);
    SendResult stop = f.pipeline().send(request("k2", c.id(), Channel.SMS, MessageCategory.COMPLIANCE, "Demande enregistrée."));
    assertThat(stop.outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(f.phone.sent).singleElement().satisfies(m -> assertThat(m.text()).isEqualTo("Demande enregistrée."));
  }

  @Test
  void rendersProfileAttributesAndJourneyVariablesAndAppendsTheStopMention() {
    Contact c = f.optedIn(Channel.SMS);
    SendRequest req = new SendRequest("k1", c.id(), Channel.SMS, MessageCategory.MARKETING,
        "Bonjour {{firstName}}, votre panier {{cartId}} vous attend à {{attributes.city}}", null, Map.of("cartId", "P-42"),
        null, false, JourneyStep.NONE, null);
    SendResult r = f.pipeline().send(req);
    assertThat(r.outcome()).isEqualTo(SendOutcome.SENT);
    MessageRecord m = f.messages.find(r.messageId()).orElseThrow();
    assertThat(m.body()).isEqualTo("Bonjour Camille, votre panier P-42 vous attend à Lyon STOP au 36180");
    assertThat(m.fromAddress()).isEqualTo("36180");
    assertThat(m.encoding()).isEqualTo("GSM7");
    assertThat(m.segments()).isEqualTo(1);
    assertThat(m.cost()).isEqualByComparingTo(new BigDecimal("0.045"));
    assertThat(m.status()).isEqualTo("SENT");
    assertThat(m.providerId()).startsWith("SM");
  }

  @Test
  void messagesAreNumberedInTheOrderTheyWereWritten() {
    Contact c = f.contact("Léa", HolidayZone.METROPOLE, Map.of());
    List<String> ids = IntStream.range(0, 20)
        .mapToObj(i -> f.pipeline().send(request("order-" + i, c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Colis " + i)).messageId())
        .toList();
    assertThat(ids).as("each message's primary key after the one before").isSorted().doesNotHaveDuplicates();
  }

  @Test
  void transactionalSmsNeverGetsAStopMentionAndGoesFromTheTransactionalShortCode() {
    Contact c = f.contact("Léa", HolidayZone.METROPOLE, Map.of());
    SendResult r = f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive demain."));
    assertThat(r.outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(f.phone.sent.get(0).text()).isEqualTo("Votre colis arrive demain.");
    assertThat(f.phone.sent.get(0).from()).isEqualTo("38180");
  }

  @Test
  void anAlphanumericMarketingSenderNamesTheShortCodeAndCannotExpectAReply() {
    f.props = new OutboundProperties(null, null, null, null, null,
        new OutboundProperties.Senders(new OutboundProperties.Sms("MaBoutique", null, "36111"), null, null), null, null, null);
    Contact c = f.optedIn(Channel.SMS);
    SendResult sent = f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Soldes -50%"));
    assertThat(f.phone.sent.get(0).text()).isEqualTo("Soldes -50% STOP au 36111");
    assertThat(f.phone.sent.get(0).from()).isEqualTo("MaBoutique");
    assertThat(sent.outcome()).isEqualTo(SendOutcome.SENT);

    SendRequest question = new SendRequest("k2", c.id(), Channel.SMS, MessageCategory.MARKETING, "Une question ?", null, Map.of(),
        null, true, JourneyStep.NONE, null);
    SendResult refused = f.pipeline().send(question);
    assertThat(refused.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(refused.reason()).startsWith("ONE_WAY_SENDER");
    assertThat(f.phone.sent).hasSize(1);
  }

  @Test
  void aMissingVariableFailsInsteadOfSendingABlank() {
    Contact c = f.contact(null, HolidayZone.METROPOLE, Map.of());
    SendResult r = f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Bonjour {{firstName}}"));
    assertThat(r.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(r.reason()).contains("{{firstName}}");
    assertThat(f.phone.sent).isEmpty();
  }

  @Test
  void marketingInQuietHoursIsDeferredToTheNextOpeningNotDropped() {
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(Instant.parse("2026-07-10T18:30:00Z")); // Friday 20:30 in Paris
    SendResult r = f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    assertThat(r.outcome()).isEqualTo(SendOutcome.DEFERRED);
    assertThat(r.reason()).isEqualTo("QUIET_HOURS");
    assertThat(r.notBefore()).isEqualTo(Instant.parse("2026-07-11T06:00:00Z"));
    assertThat(f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo")))
        .as("the same step asked again answers the same").isEqualTo(r);
    assertThat(f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "x")).notBefore()).isEqualTo(r.notBefore());
    f.clock.set(r.notBefore());
    assertThat(f.pipeline().send(request("k1-after", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo")).outcome())
        .isEqualTo(SendOutcome.SENT);
    assertThat(f.phone.sent).hasSize(1);
  }

  @Test
  void theWindowIsConfigurablePerChannelAndTransactionalIgnoresIt() {
    f.props = new OutboundProperties(null, new OutboundProperties.Window(null, null, null, null,
        Map.of(Channel.SMS, new OutboundProperties.WindowOverride(null, null, "10:00", "18:00"))), null, null, null, null, null, null, null);
    Contact c = f.optedIn(Channel.SMS, Channel.WHATSAPP);
    f.clock.set(Instant.parse("2026-07-08T06:30:00Z")); // Wednesday 08:30 Paris
    SendResult sms = f.pipeline().send(request("k1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    assertThat(sms.notBefore()).isEqualTo(Instant.parse("2026-07-08T08:00:00Z"));
    assertThat(f.pipeline().send(request("k2", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Colis")).outcome())
        .isEqualTo(SendOutcome.SENT);
  }

  @Test
  void frequencyCapsCountMarketingPerContactAndChannelAcrossJourneys() {
    Contact c = f.optedIn(Channel.SMS);
    assertThat(f.pipeline().send(request("j1", c.id(), Channel.SMS, MessageCategory.MARKETING, "A")).outcome()).isEqualTo(SendOutcome.SENT);
    SendResult second = f.pipeline().send(request("j2", c.id(), Channel.SMS, MessageCategory.MARKETING, "B"));
    assertThat(second.outcome()).isEqualTo(SendOutcome.CAPPED);
    assertThat(second.reason()).isEqualTo("FREQUENCY_CAP 1/PT24H");
    assertThat(f.pipeline().send(request("j3", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "C")).outcome())
        .as("transactional is never capped").isEqualTo(SendOutcome.SENT);
    f.clock.set(f.clock.instant().plus(Duration.ofHours(25)));
    assertThat(f.pipeline().send(request("j4", c.id(), Channel.SMS, MessageCategory.MARKETING, "D")).outcome()).isEqualTo(SendOutcome.SENT);
    f.clock.set(f.clock.instant().plus(Duration.ofHours(25)));
    assertThat(f.pipeline().send(request("j5", c.id(), Channel.SMS, MessageCategory.MARKETING, "E")).outcome()).isEqualTo(SendOutcome.SENT);
    f.clock.set(f.clock.instant().plus(Duration.ofHours(25)));
    assertThat(f.pipeline().send(request("j6", c.id(), Channel.SMS, MessageCategory.MARKETING, "F")).reason())
        .isEqualTo("FREQUENCY_CAP 3/PT168H");
  }

  @Test
  void whatsAppFreeFormOnlyInsideTheCustomersWindowElseTheTemplate() {
    Contact c = f.optedIn(Channel.WHATSAPP);
    SendResult outside = f.pipeline().send(request("w1", c.id(), Channel.WHATSAPP, MessageCategory.SERVICE, "Bonjour"));
    assertThat(outside.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(outside.reason()).startsWith("NO_TEMPLATE");

    SendRequest template = new SendRequest("w2", c.id(), Channel.WHATSAPP, MessageCategory.TRANSACTIONAL, "Bonjour", null, Map.of(),
        "HX123", false, JourneyStep.NONE, null);
    assertThat(f.pipeline().send(template).outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(f.phone.sent.get(0).contentSid()).isEqualTo("HX123");

    f.inbound(c.id(), Channel.WHATSAPP, f.clock.instant().minus(Duration.ofHours(23)));
    assertThat(f.pipeline().send(request("w3", c.id(), Channel.WHATSAPP, MessageCategory.SERVICE, "Bonjour")).outcome())
        .isEqualTo(SendOutcome.SENT);
    assertThat(f.phone.sent.get(1).contentSid()).isNull();
    assertThat(f.phone.sent.get(1).text()).isEqualTo("Bonjour");
    f.clock.set(f.clock.instant().plus(Duration.ofHours(1)));
    assertThat(f.pipeline().send(request("w4", c.id(), Channel.WHATSAPP, MessageCategory.SERVICE, "Bonjour")).reason()).startsWith("NO_TEMPLATE");
  }

  @Test
  void aRetryAfterTheProviderAcceptedSendsNothingMore() {
    Contact c = f.optedIn(Channel.SMS);
    SendResult first = f.pipeline().send(request("job-7", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    SendResult again = f.pipeline().send(request("job-7", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    assertThat(again).isEqualTo(first);
    assertThat(f.phone.sent).hasSize(1);
    assertThat(f.transcript(c.id())).hasSize(1);
  }

  @Test
  void aProviderFailureIsRecordedAndTheRetryOfTheSameStepSendsOnce() {
    Contact c = f.optedIn(Channel.SMS);
    f.phone.failWith = new MessageProvider.ProviderException("Twilio 500", "500", false, null);
    SendResult failed = f.pipeline().send(request("job-8", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Colis"));
    assertThat(failed.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(f.messages.find(failed.messageId()).orElseThrow().errorCode()).isEqualTo("500");
    f.phone.failWith = null;
    SendResult retried = f.pipeline().send(request("job-8", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Colis"));
    assertThat(retried.outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(retried.messageId()).isEqualTo(failed.messageId());
    assertThat(f.pipeline().send(request("job-8", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Colis")).outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(f.phone.sent).hasSize(1);
  }

  @Test
  void aProviderOptOutBecomesAWithdrawal() {
    Contact c = f.optedIn(Channel.SMS);
    f.phone.failWith = new MessageProvider.ProviderException("21610", "21610", true, null);
    SendResult r = f.pipeline().send(request("k", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    assertThat(r.outcome()).isEqualTo(SendOutcome.NO_CONSENT);
    assertThat(f.contacts.withdrawals).singleElement().asString().contains(c.id() + "|SMS|null|PROVIDER");
  }

  @Test
  void linksBecomeTrackedShortLinksCountedInTheSegments() {
    Contact c = f.optedIn(Channel.SMS);
    SendResult r = f.pipeline().send(request("k", c.id(), Channel.SMS, MessageCategory.MARKETING,
        "Votre panier: https://shop.example.fr/panier?id=42&x=1. A bientot"));
    MessageRecord m = f.messages.find(r.messageId()).orElseThrow();
    assertThat(m.body()).matches("Votre panier: http://localhost:8080/r/[A-Za-z0-9]{8}\\. A bientot STOP au 36180");
    String code = m.body().replaceAll(".*/r/([A-Za-z0-9]{8}).*", "$1");
    ShortLinks.Link link = f.store.findLink(code).orElseThrow();
    assertThat(link.url()).isEqualTo("https://shop.example.fr/panier?id=42&x=1");
    assertThat(link.contactId()).isEqualTo(c.id());
    assertThat(ShortLinkController.destination(link).toString())
        .isEqualTo("https://shop.example.fr/panier?id=42&x=1&utm_source=relais&utm_medium=sms&utm_campaign=cart-abandoned");
    assertThat(f.store.recordClick(code, f.clock.instant())).isTrue();
    assertThat(f.store.recordClick(code, f.clock.instant())).isFalse();
    assertThat(f.store.findLink(code).orElseThrow().clickCount()).isEqualTo(2);
  }

  @Test
  void emailsHaveTextAndHtmlPartsAndMarketingOnesAnUnsubscribeLink() {
    f.emailProvider = f.phone;
    Contact c = f.optedIn(Channel.EMAIL);
    f.pipeline().send(request("e1", c.id(), Channel.EMAIL, MessageCategory.MARKETING, "Bonjour {{firstName}} & bienvenue"));
    MessageProvider.OutboundMessage m = f.phone.sent.get(0);
    assertThat(m.to()).isEqualTo(c.email());
    assertThat(m.subject()).isEqualTo("Sujet");
    assertThat(m.text()).startsWith("Bonjour Camille & bienvenue").contains("Se désinscrire : http://localhost:8080/u/tok-" + c.id());
    assertThat(m.html()).contains("Bonjour Camille &amp; bienvenue").contains("href=\"http://localhost:8080/u/tok-" + c.id() + "\"");
  }

  @Test
  void theSimulatorDeliversInTheRecordTransactionAndAnnouncesIt() {
    f.phoneProvider = new SimulatorProvider();
    Contact c = f.optedIn(Channel.SMS);
    SendResult r = f.pipeline().send(request("s1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    assertThat(r.outcome()).isEqualTo(SendOutcome.SENT);
    MessageRecord m = f.messages.find(r.messageId()).orElseThrow();
    assertThat(m.provider()).isEqualTo("SIMULATOR");
    assertThat(m.status()).isEqualTo("DELIVERED");
    assertThat(f.events).containsExactly(new MessageSentEvent(r.messageId(), c.id(), Channel.SMS));
    assertThat(m.stepId()).isEqualTo("Call_SendReminder");
    assertThat(m.journeyKey()).isEqualTo("cart-abandoned");
  }

  @Test
  void aSenderOverItsRateWaitsForItsSlot() {
    f.props = new OutboundProperties(null, null, null, null, Map.of("38180", 2.0), null, null, null, null);
    List<SendResult> results = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Contact c = f.optedIn(Channel.SMS);
      results.add(f.pipeline().send(request("t" + i, c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Code 1234")));
    }
    assertThat(results.stream().filter(r -> r.outcome() == SendOutcome.SENT)).hasSize(3); // burst of 1 s + the current one
    SendResult waiting = results.get(5);
    assertThat(waiting.outcome()).isEqualTo(SendOutcome.DEFERRED);
    assertThat(waiting.reason()).isEqualTo("THROUGHPUT");
    assertThat(waiting.notBefore()).isAfter(f.clock.instant()).isBefore(f.clock.instant().plusSeconds(2));
  }

  @Test
  void senderValidationRefusesFrenchMobilesAtStartUp() {
    OutboundProperties mobile = new OutboundProperties(null, null, null, null, null,
        new OutboundProperties.Senders(new OutboundProperties.Sms("+33612345678", null, null), null, null), null, null, null);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OutboundConfiguration.validateSenders(mobile))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relais.senders.sms.marketing=+33612345678")
        .hasMessageContaining("ARCEP");
    OutboundConfiguration.validateSenders(OutboundProperties.defaults());
  }
}
