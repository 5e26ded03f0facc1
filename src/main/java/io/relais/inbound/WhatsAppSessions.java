package io.relais.inbound;

import io.relais.contact.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * WhatsApp's customer-service window (domain-rules §6): 24 h from the customer's last message,
 * refreshed by each new one, never by the brand's. Read from the message table, so every node
 * agrees; the send pipeline asks it before a free-form WhatsApp message.
 */
@Component
public class WhatsAppSessions {

  public static final Duration WINDOW = Duration.ofHours(24);

  private final InboundStore store;
  private final Clock clock;

  WhatsAppSessions(InboundStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** The end (exclusive) of the open window, or empty when free-form messages are not allowed now. */
  public Optional<Instant> openUntil(String contactId) {
    Instant now = clock.instant();
    return store.lastInbound(contactId, Channel.WHATSAPP).map(last -> last.plus(WINDOW)).filter(now::isBefore);
  }

  public boolean isOpen(String contactId) {
    return openUntil(contactId).isPresent();
  }
}
