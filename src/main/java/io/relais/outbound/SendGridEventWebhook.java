package io.relais.outbound;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sendgrid.helpers.eventwebhook.EventWebhook;
import io.relais.contact.Channel;
import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentMethod;
import io.relais.contact.Purpose;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import java.io.IOException;
import java.security.Security;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Lazy;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * SendGrid's Event Webhook: verifies the signature on the raw body when
 * relais.sendgrid.webhook-public-key is set and refuses signed events whose timestamp is further than
 * relais.delivery.webhook-timestamp-tolerance from our clock (replays), processes each event once (sg_event_id), moves the
 * message forward, tells the journey (EmailOpened, LinkClicked) and records withdrawals (hard
 * bounce, spam report, unsubscribes).
 */
@RestController
public class SendGridEventWebhook {

  public static final String PATH = "/webhooks/sendgrid/events";
  static final String SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature";
  static final String TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp";
  private static final Logger log = LoggerFactory.getLogger(SendGridEventWebhook.class);

  private final OutboundProperties props;
  private final MessageLog messages;
  private final OutboundStore store;
  private final ConsentChanges consentChanges;
  private final JourneySignals signals;
  private final Clock clock;
  private final Duration tolerance;
  private final ObjectMapper json = new ObjectMapper();

  public SendGridEventWebhook(OutboundProperties props, MessageLog messages, OutboundStore store,
      @Lazy ConsentChanges consentChanges, JourneySignals signals, Clock clock, DeliveryProperties delivery) {
    this.props = props;
    this.messages = messages;
    this.store = store;
    this.consentChanges = consentChanges;
    this.signals = signals;
    this.clock = clock;
    this.tolerance = delivery.webhookTimestampTolerance();
    if (Security.getProvider("BC") == null) {
      Security.addProvider(new BouncyCastleProvider());
    }
  }

  @PostMapping(PATH)
  public ResponseEntity<String> events(@RequestBody byte[] body, @RequestHeader(value = SIGNATURE, required = false) String signature,
      @RequestHeader(value = TIMESTAMP, required = false) String timestamp) throws IOException {
    String key = props.sendgrid().webhookPublicKey();
    if (key != null && !key.isBlank()) {
      if (!verified(key, body, signature, timestamp)) {
        return ResponseEntity.status(HttpStatus.FORBIDDEN).build();
      }
      if (!fresh(timestamp)) {
        // a correctly signed but old request: a replay (the signature covers the timestamp, not its age)
        log.warn("SendGrid events refused: timestamp {} is more than {} away from now", timestamp, tolerance);
        return ResponseEntity.status(HttpStatus.FORBIDDEN)
            .body("Stale " + TIMESTAMP + ": more than " + tolerance + " away from the server's clock (replayed request?)");
      }
    }
    JsonNode events = json.readTree(body);
    if (events == null || !events.isArray()) {
      return ResponseEntity.badRequest().build();
    }
    for (JsonNode e : events) {
      handle(e);
    }
    return ResponseEntity.ok().build();
  }

  /** The signed timestamp (Unix seconds) is within the tolerance of our clock, either way. */
  private boolean fresh(String timestamp) {
    try {
      Instant signedAt = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
      return Duration.between(signedAt, clock.instant()).abs().compareTo(tolerance) <= 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  static boolean verified(String publicKey, byte[] body, String signature, String timestamp) {
    if (signature == null || timestamp == null) {
      return false;
    }
    try {
      EventWebhook webhook = new EventWebhook();
      ECPublicKey key = webhook.ConvertPublicKeyToECDSA(publicKey);
      return webhook.VerifySignature(key, body, signature, timestamp);
    } catch (Exception e) {
      log.warn("SendGrid event signature check failed: {}", e.toString());
      return false;
    }
  }

  private void handle(JsonNode e) {
    String event = text(e, "event");
    String eventId = text(e, "sg_event_id");
    if (eventId == null) {
      eventId = text(e, "sg_message_id") + ":" + event + ":" + text(e, "timestamp");
    }
    if (event == null || !store.firstTimeSeen(SendGridProvider.NAME, eventId, clock.instant())) {
      return;
    }
    String messageId = text(e, "messageId");
    MessageRecord m = messageId == null ? null : messages.find(messageId).orElse(null);
    String contactId = m != null ? m.contactId() : text(e, "contactId");
    if (m != null) {
      String status = DeliveryStatus.fromSendGrid(event);
      if (status != null) {
        store.advanceStatus(m.id(), status, "bounce".equals(event) || "dropped".equals(event) ? event : null, clock.instant());
      }
      Map<String, Object> vars = new HashMap<>();
      vars.put("emailMessageId", m.id());
      if ("open".equals(event)) {
        signals.signal(JourneyMessages.EMAIL_OPENED, m.processInstanceId(), vars);
      } else if ("click".equals(event)) {
        if (text(e, "url") != null) {
          vars.put("clickedUrl", text(e, "url"));
        }
        signals.signal(JourneyMessages.LINK_CLICKED, m.processInstanceId(), vars);
      }
    }
    if (contactId == null) {
      return;
    }
    switch (event) {
      case "bounce" -> {
        if (!"blocked".equals(text(e, "type"))) { // a block is the receiving server's temporary refusal, not a dead address
          consentChanges.withdraw(contactId, Channel.EMAIL, null, ConsentMethod.PROVIDER, "sendgrid:bounce", eventId);
        }
      }
      case "spamreport", "unsubscribe", "group_unsubscribe" ->
          consentChanges.withdraw(contactId, Channel.EMAIL, Purpose.MARKETING, ConsentMethod.PROVIDER, "sendgrid:" + event, eventId);
      default -> { }
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
