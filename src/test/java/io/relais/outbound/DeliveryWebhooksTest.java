package io.relais.outbound;

import static io.relais.outbound.OutboundFixture.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.journey.JourneyMessages;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;

/** Twilio status callbacks and SendGrid events: signatures, monotonic statuses, duplicates, consent and journey signals. */
class DeliveryWebhooksTest {

  static final String TOKEN = "twilio-auth-token";
  final OutboundFixture f = new OutboundFixture();
  final List<String> signals = new CopyOnWriteArrayList<>();
  final JourneySignals journeySignals = new JourneySignals(null) {
    @Override
    public int signal(String messageName, String processInstanceId, Map<String, Object> variables) {
      signals.add(messageName + "@" + processInstanceId);
      return 1;
    }
  };

  OutboundProperties withTwilioToken() {
    return new OutboundProperties("https://relais.example.fr", null, null, null, null, null,
        new OutboundProperties.Twilio("AC1", TOKEN, null), null, null);
  }

  TwilioStatusWebhook twilio() {
    return new TwilioStatusWebhook(withTwilioToken(), f.messages, f.store, f.contacts, f.clock);
  }

  String sentSms(Contact c) {
    SendResult r = f.pipeline().send(request("k-" + c.id(), c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo"));
    return f.messages.find(r.messageId()).orElseThrow().providerId();
  }

  static MockHttpServletRequest callback(Map<String, String> params, String signature) {
    MockHttpServletRequest req = new MockHttpServletRequest("POST", TwilioStatusWebhook.PATH);
    params.forEach(req::addParameter);
    if (signature != null) {
      req.addHeader("X-Twilio-Signature", signature);
    }
    return req;
  }

  static String twilioSignature(String url, Map<String, String> params) throws Exception {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
    Mac mac = Mac.getInstance("HmacSHA1");
    mac.init(new SecretKeySpec(TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
    return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
  }

  String statusOf(String providerId) {
    return f.messages.findByProviderId("FAKE_TWILIO", providerId).orElseThrow().status();
  }

  @Test
  void aBadTwilioSignatureGets403AndChangesNothing() throws Exception {
    Contact c = f.optedIn(Channel.SMS);
    String sid = sentSms(c);
    Map<String, String> params = Map.of("MessageSid", sid, "MessageStatus", "delivered");
    assertThat(twilio().status(callback(params, "bad")).getStatusCode().value()).isEqualTo(403);
    assertThat(twilio().status(callback(params, null)).getStatusCode().value()).isEqualTo(403);
    String signedForAnotherUrl = twilioSignature("https://evil.example/webhooks/twilio/status", params);
    assertThat(twilio().status(callback(params, signedForAnotherUrl)).getStatusCode().value()).isEqualTo(403);
    assertThat(statusOf(sid)).isEqualTo("SENT");
  }

  @Test
  void statusesOnlyMoveForwardAndDuplicatesChangeNothing() throws Exception {
    Contact c = f.optedIn(Channel.SMS);
    String sid = sentSms(c);
    // Twilio looks the message up by provider TWILIO: the fixture's provider is FAKE_TWILIO, so store it as Twilio's.
    f.jdbc.update("update message set provider = 'TWILIO' where provider_id = ?", sid);
    Map<String, String> delivered = Map.of("MessageSid", sid, "MessageStatus", "delivered", "AccountSid", "AC1");
    Map<String, String> sentLate = Map.of("MessageSid", sid, "MessageStatus", "sent", "AccountSid", "AC1");
    String url = "https://relais.example.fr" + TwilioStatusWebhook.PATH;
    assertThat(twilio().status(callback(delivered, twilioSignature(url, delivered))).getStatusCode().value()).isEqualTo(200);
    assertThat(twilio().status(callback(sentLate, twilioSignature(url, sentLate))).getStatusCode().value()).isEqualTo(200);
    assertThat(twilio().status(callback(delivered, twilioSignature(url, delivered))).getStatusCode().value()).isEqualTo(200);
    assertThat(f.messages.findByProviderId("TWILIO", sid).orElseThrow().status()).isEqualTo("DELIVERED");
  }

  @Test
  void twilioError21610WithdrawsConsentOnce() throws Exception {
    Contact c = f.optedIn(Channel.SMS);
    String sid = sentSms(c);
    f.jdbc.update("update message set provider = 'TWILIO' where provider_id = ?", sid);
    Map<String, String> failed = Map.of("MessageSid", sid, "MessageStatus", "failed", "ErrorCode", "21610");
    String sig = twilioSignature("https://relais.example.fr" + TwilioStatusWebhook.PATH, failed);
    twilio().status(callback(failed, sig));
    twilio().status(callback(failed, sig));
    assertThat(f.contacts.withdrawals).singleElement().asString().startsWith(c.id() + "|SMS|null|PROVIDER|twilio");
    assertThat(f.messages.findByProviderId("TWILIO", sid).orElseThrow().errorCode()).isEqualTo("21610");
  }

  // ------------------------------------------------------------------ SendGrid

  static KeyPair ecKeys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static String sign(KeyPair keys, String timestamp, byte[] payload) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(keys.getPrivate());
    s.update(timestamp.getBytes(StandardCharsets.UTF_8));
    s.update(payload);
    return Base64.getEncoder().encodeToString(s.sign());
  }

  @Test
  void theSendGridLibraryVectorVerifies() {
    String key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    String payload = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\","
        + "\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\","
        + "\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\","
        + "\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";
    String signature = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    new SendGridEventWebhook(OutboundProperties.defaults(), f.messages, f.store, f.contacts, journeySignals, f.clock, DeliveryProperties.defaults()); // registers BC
    assertThat(SendGridEventWebhook.verified(key, payload.getBytes(StandardCharsets.UTF_8), signature, "1600112502")).isTrue();
    assertThat(SendGridEventWebhook.verified(key, "payload".getBytes(StandardCharsets.UTF_8), signature, "1600112502")).isFalse();
  }

  @Test
  void signedSendGridEventsUpdateTheEmailSignalTheJourneyAndWithdrawOnceEach() throws Exception {
    KeyPair keys = ecKeys();
    String publicKey = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    OutboundProperties props = new OutboundProperties(null, null, null, null, null, null, null,
        new OutboundProperties.Sendgrid("SG.x", null, null, null, publicKey), null);
    SendGridEventWebhook webhook = new SendGridEventWebhook(props, f.messages, f.store, f.contacts, journeySignals, f.clock, DeliveryProperties.defaults());
    Contact c = f.optedIn(Channel.EMAIL);
    SendResult sent = f.pipeline().send(request("e-" + c.id(), c.id(), Channel.EMAIL, MessageCategory.MARKETING, "Bonjour"));
    String id = sent.messageId();
    String events = "[{\"event\":\"delivered\",\"sg_event_id\":\"ev1\",\"messageId\":\"" + id + "\",\"contactId\":\"" + c.id() + "\"},"
        + "{\"event\":\"open\",\"sg_event_id\":\"ev2\",\"messageId\":\"" + id + "\",\"contactId\":\"" + c.id() + "\"},"
        + "{\"event\":\"click\",\"sg_event_id\":\"ev3\",\"url\":\"https://shop.example.fr\",\"messageId\":\"" + id + "\",\"contactId\":\"" + c.id() + "\"},"
        + "{\"event\":\"delivered\",\"sg_event_id\":\"ev4\",\"messageId\":\"" + id + "\",\"contactId\":\"" + c.id() + "\"},"
        + "{\"event\":\"unsubscribe\",\"sg_event_id\":\"ev5\",\"messageId\":\"" + id + "\",\"contactId\":\"" + c.id() + "\"}]\r\n";
    byte[] body = events.getBytes(StandardCharsets.UTF_8);
    String ts = String.valueOf(f.clock.instant().getEpochSecond()); // signed now

    assertThat(webhook.events(body, sign(keys, ts, "tampered".getBytes()), ts).getStatusCode().value()).isEqualTo(403);
    assertThat(webhook.events(body, null, null).getStatusCode().value()).isEqualTo(403);
    assertThat(f.messages.find(id).orElseThrow().status()).isEqualTo("DELIVERED"); // the simulator's, unchanged
    assertThat(signals).isEmpty();

    String signature = sign(keys, ts, body);
    assertThat(webhook.events(body, signature, ts).getStatusCode().value()).isEqualTo(200);
    assertThat(webhook.events(body, signature, ts).getStatusCode().value()).isEqualTo(200); // SendGrid retried the batch
    assertThat(f.messages.find(id).orElseThrow().status()).isEqualTo("READ");
    assertThat(signals).containsExactly(JourneyMessages.EMAIL_OPENED + "@pi-1", JourneyMessages.LINK_CLICKED + "@pi-1");
    assertThat(f.contacts.withdrawals).containsExactly(c.id() + "|EMAIL|MARKETING|PROVIDER|sendgrid:unsubscribe");
  }

  @Test
  void aSignedSendGridBatchOlderThanTheToleranceIsRefusedAsAReplay() throws Exception {
    KeyPair keys = ecKeys();
    String publicKey = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
    OutboundProperties props = new OutboundProperties(null, null, null, null, null, null, null,
        new OutboundProperties.Sendgrid("SG.x", null, null, null, publicKey), null);
    DeliveryProperties fiveMinutes = new DeliveryProperties(null, null, null, Duration.ofMinutes(5));
    SendGridEventWebhook webhook = new SendGridEventWebhook(props, f.messages, f.store, f.contacts, journeySignals, f.clock, fiveMinutes);
    Contact c = f.optedIn(Channel.EMAIL);
    String id = f.pipeline().send(request("r-" + c.id(), c.id(), Channel.EMAIL, MessageCategory.MARKETING, "Bonjour")).messageId();
    byte[] body = ("[{\"event\":\"unsubscribe\",\"sg_event_id\":\"r1\",\"messageId\":\"" + id + "\",\"contactId\":\"" + c.id() + "\"}]")
        .getBytes(StandardCharsets.UTF_8);
    String signedAt = String.valueOf(f.clock.instant().getEpochSecond());
    String signature = sign(keys, signedAt, body);

    f.clock.set(f.clock.instant().plus(Duration.ofMinutes(5).plusSeconds(1))); // the same signed request, replayed later
    ResponseEntity<String> replay = webhook.events(body, signature, signedAt);
    assertThat(replay.getStatusCode().value()).isEqualTo(403);
    assertThat(replay.getBody()).contains("X-Twilio-Email-Event-Webhook-Timestamp");
    assertThat(f.contacts.withdrawals).isEmpty();

    String future = String.valueOf(f.clock.instant().plus(Duration.ofMinutes(6)).getEpochSecond());
    assertThat(webhook.events(body, sign(keys, future, body), future).getStatusCode().value()).isEqualTo(403);
    assertThat(f.contacts.withdrawals).isEmpty();

    f.clock.set(f.clock.instant().minusSeconds(2)); // within 5 minutes of the signature
    assertThat(webhook.events(body, signature, signedAt).getStatusCode().value()).isEqualTo(200);
    assertThat(f.contacts.withdrawals).containsExactly(c.id() + "|EMAIL|MARKETING|PROVIDER|sendgrid:unsubscribe");
  }

  @Test
  void aHardBounceWithdrawsTheEmailButABlockDoesNot() throws Exception {
    SendGridEventWebhook webhook = new SendGridEventWebhook(OutboundProperties.defaults(), f.messages, f.store, f.contacts, journeySignals, f.clock, DeliveryProperties.defaults());
    Contact c = f.optedIn(Channel.EMAIL);
    String id = f.pipeline().send(request("b-" + c.id(), c.id(), Channel.EMAIL, MessageCategory.TRANSACTIONAL, "Facture")).messageId();
    String blocked = "[{\"event\":\"bounce\",\"type\":\"blocked\",\"sg_event_id\":\"b1\",\"messageId\":\"" + id + "\"}]";
    webhook.events(blocked.getBytes(StandardCharsets.UTF_8), null, null);
    assertThat(f.contacts.withdrawals).isEmpty();
    String bounce = "[{\"event\":\"bounce\",\"type\":\"bounce\",\"sg_event_id\":\"b2\",\"messageId\":\"" + id + "\"}]";
    webhook.events(bounce.getBytes(StandardCharsets.UTF_8), null, null);
    assertThat(f.contacts.withdrawals).containsExactly(c.id() + "|EMAIL|null|PROVIDER|sendgrid:bounce");
  }
}
