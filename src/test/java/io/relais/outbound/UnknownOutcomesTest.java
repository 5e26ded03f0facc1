package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.conversation.MessageRecord;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;

/**
 * A node that dies between the PENDING record and Twilio's answer: the message is declared
 * UNKNOWN after relais.delivery.pending-timeout, once across nodes, never resent, counted; a late
 * status callback still settles it.
 */
class UnknownOutcomesTest {

  final OutboundFixture f = new OutboundFixture();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final AtomicInteger calls = new AtomicInteger();

  /** The JVM dies inside the provider call (after the request may have left). */
  static final class Crash extends Error {}

  /** Twilio as the pipeline sees it, whose call never returns an answer. */
  final MessageProvider dyingTwilio = new MessageProvider() {
    @Override
    public String name() {
      return TwilioProvider.NAME;
    }

    @Override
    public boolean external() {
      return true;
    }

    @Override
    public Receipt send(OutboundMessage message) {
      calls.incrementAndGet();
      throw new Crash();
    }
  };

  UnknownOutcomes node(SimpleMeterRegistry meters) {
    return new UnknownOutcomes(f.store, DeliveryProperties.defaults(), f.clock, meters);
  }

  double counter(String cause) {
    return registry.get(UnknownOutcomes.COUNTER).tag("cause", cause).counter().count();
  }

  @Test
  void aMessageLeftPendingByACrashIsDeclaredUnknownOnceNeverResentAndSettledByALateCallback() {
    f.phoneProvider = dyingTwilio;
    Contact c = f.optedIn(Channel.SMS);
    SendRequest request = OutboundFixture.request("crash-1", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive");
    try {
      f.pipeline().send(request);
    } catch (Crash expected) {
      // the node is gone; the PENDING row was committed before the call
    }
    MessageRecord pending = f.transcript(c.id()).get(0);
    assertThat(pending.status()).isEqualTo("PENDING");
    UnknownOutcomes node1 = node(registry);
    UnknownOutcomes node2 = node(new SimpleMeterRegistry());

    f.clock.set(f.clock.instant().plus(Duration.ofMinutes(9)));
    assertThat(node1.declareStalePending()).isZero();
    assertThat(f.messages.find(pending.id()).orElseThrow().status()).isEqualTo("PENDING");

    f.clock.set(f.clock.instant().plus(Duration.ofMinutes(1).plusSeconds(1)));
    assertThat(node1.declareStalePending()).isEqualTo(1);
    assertThat(node2.declareStalePending()).as("the other node finds nothing left to declare").isZero();
    assertThat(node1.declareStalePending()).isZero();
    MessageRecord unknown = f.messages.find(pending.id()).orElseThrow();
    assertThat(unknown.status()).isEqualTo("UNKNOWN");
    assertThat(unknown.reason()).startsWith(CompliantSendPipeline.OUTCOME_UNKNOWN);
    assertThat(counter("stale_pending")).isEqualTo(1.0);
    assertThat(registry.get(UnknownOutcomes.GAUGE).gauge().value()).isEqualTo(1.0);

    SendResult retried = f.pipeline().send(request); // the job runs again on another node
    assertThat(retried.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(retried.messageId()).isEqualTo(pending.id());
    assertThat(calls).as("never sent a second time").hasValue(1);

    // Twilio's status callback for the message arrives later, with our message id on the callback URL
    TwilioStatusWebhook webhook = new TwilioStatusWebhook(OutboundProperties.defaults(), f.messages, f.store, f.contacts, f.clock);
    MockHttpServletRequest callback = new MockHttpServletRequest("POST", TwilioStatusWebhook.PATH);
    callback.setQueryString(TwilioStatusWebhook.MESSAGE_ID + "=" + pending.id());
    callback.addParameter(TwilioStatusWebhook.MESSAGE_ID, pending.id());
    Map.of("MessageSid", "SMlate", "MessageStatus", "delivered").forEach(callback::addParameter);
    assertThat(webhook.status(callback).getStatusCode().value()).isEqualTo(200);
    MessageRecord settled = f.messages.find(pending.id()).orElseThrow();
    assertThat(settled.status()).isEqualTo("DELIVERED");
    assertThat(settled.providerId()).isEqualTo("SMlate");
    node1.declareStalePending();
    assertThat(registry.get(UnknownOutcomes.GAUGE).gauge().value()).isZero();
    assertThat(f.pipeline().send(request).outcome()).as("the retried step now goes on").isEqualTo(SendOutcome.SENT);
    assertThat(calls).hasValue(1);
  }

  @Test
  void aProviderTimeoutIsCountedAndCapsCountTheUnknownMessage() {
    OutboundFixture.RecordingProvider twilio = f.phone;
    twilio.failWith = MessageProvider.ProviderException.unknown("read timed out", "TWILIO_TIMEOUT", null);
    CompliantSendPipeline pipeline = f.pipeline();
    pipeline.setUnknownOutcomes(node(registry));
    Contact c = f.optedIn(Channel.SMS);
    SendResult first = pipeline.send(OutboundFixture.request("t-1", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo -20%"));
    assertThat(first.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(f.messages.find(first.messageId()).orElseThrow().status()).isEqualTo("UNKNOWN");
    assertThat(counter("no_answer")).isEqualTo(1.0);

    twilio.failWith = null;
    SendResult second = pipeline.send(OutboundFixture.request("t-2", c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo -30%"));
    assertThat(second.outcome()).as("1 marketing SMS a day: the unknown one may have gone").isEqualTo(SendOutcome.CAPPED);
    assertThat(twilio.sent).isEmpty();
  }

  @Test
  void aLateSendGridEventSettlesAnEmailWhoseAnswerWasLost() throws Exception {
    f.emailProvider = new OutboundFixture.RecordingProvider(SendGridProvider.NAME);
    ((OutboundFixture.RecordingProvider) f.emailProvider).failWith =
        MessageProvider.ProviderException.unknown("Read timed out", "SENDGRID_TIMEOUT", null);
    Contact c = f.optedIn(Channel.EMAIL);
    SendRequest request = OutboundFixture.request("mail-1", c.id(), Channel.EMAIL, MessageCategory.TRANSACTIONAL, "Votre facture");
    SendResult first = f.pipeline().send(request);
    assertThat(f.messages.find(first.messageId()).orElseThrow().status()).isEqualTo("UNKNOWN");

    SendGridEventWebhook webhook = new SendGridEventWebhook(OutboundProperties.defaults(), f.messages, f.store, f.contacts,
        new JourneySignals(null) {
          @Override
          public int signal(String messageName, String processInstanceId, Map<String, Object> variables) {
            return 0;
          }
        }, f.clock, DeliveryProperties.defaults());
    String delivered = "[{\"event\":\"delivered\",\"sg_event_id\":\"late-1\",\"messageId\":\"" + first.messageId() + "\"}]";
    assertThat(webhook.events(delivered.getBytes(java.nio.charset.StandardCharsets.UTF_8), null, null).getStatusCode().value()).isEqualTo(200);
    assertThat(f.messages.find(first.messageId()).orElseThrow().status()).isEqualTo("DELIVERED");
    assertThat(f.pipeline().send(request).outcome()).as("the retried step goes on, nothing sent").isEqualTo(SendOutcome.SENT);
    assertThat(((OutboundFixture.RecordingProvider) f.emailProvider).sent).isEmpty();
  }
}
