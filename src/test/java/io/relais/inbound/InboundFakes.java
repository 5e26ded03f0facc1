package io.relais.inbound;

import io.relais.contact.Channel;
import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentMethod;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.contact.HolidayZone;
import io.relais.contact.Purpose;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.outbound.SendOutcome;
import io.relais.outbound.SendPipeline;
import io.relais.outbound.SendRequest;
import io.relais.outbound.SendResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DuplicateKeyException;

/**
 * Stand-ins for the contact registry, the consent ledger and the send pipeline while their real
 * implementations are built on other branches: they record what the inbound pipeline asks.
 */
@TestConfiguration(proxyBeanMethods = false)
public class InboundFakes {

  @Bean
  FakeContacts fakeContacts() {
    return new FakeContacts();
  }

  @Bean
  FakeConsent fakeConsent() {
    return new FakeConsent();
  }

  @Bean
  FakeSender fakeSender(MessageLog log, Clock clock) {
    return new FakeSender(log, clock);
  }

  /** Contacts by phone, created on first sight. */
  public static class FakeContacts implements ContactDirectory {
    final Map<String, Contact> byId = new ConcurrentHashMap<>();
    final Set<String> suppressed = ConcurrentHashMap.newKeySet();

    @Override
    public Optional<Contact> find(String contactId) {
      return Optional.ofNullable(byId.get(contactId));
    }

    @Override
    public Optional<Contact> findByPhone(String e164) {
      return byId.values().stream().filter(c -> e164.equals(c.phone())).findFirst();
    }

    @Override
    public Optional<Contact> findByEmail(String email) {
      return Optional.empty();
    }

    @Override
    public synchronized Contact findOrCreateByPhone(String e164) {
      if (suppressed.contains(e164)) {
        throw new IllegalStateException("suppressed number");
      }
      return findByPhone(e164).orElseGet(() -> {
        Contact c = new Contact("c-" + UUID.randomUUID(), e164, null, null, null, "fr", ZoneId.of("Europe/Paris"), null,
            HolidayZone.METROPOLE, Map.of(), false);
        byId.put(c.id(), c);
        return c;
      });
    }
  }

  /** A consent change as asked. */
  public record Change(String kind, String contactId, Channel channel, Purpose purpose, ConsentMethod method, String proof, Instant until) {}

  /** Records consent changes; a re-grant works for contacts marked as subscribed before. */
  public static class FakeConsent implements ConsentChanges {
    final List<Change> changes = new CopyOnWriteArrayList<>();
    final Set<String> subscribedBefore = ConcurrentHashMap.newKeySet();

    @Override
    public void withdraw(String contactId, Channel channel, Purpose purpose, ConsentMethod method, String source, String proof) {
      changes.add(new Change("WITHDRAW", contactId, channel, purpose, method, proof, null));
    }

    @Override
    public boolean regrantByKeyword(String contactId, Channel channel, String source, String proof) {
      boolean ok = subscribedBefore.contains(contactId);
      if (ok) {
        changes.add(new Change("REGRANT", contactId, channel, Purpose.MARKETING, ConsentMethod.KEYWORD, proof, null));
      }
      return ok;
    }

    @Override
    public void pauseMarketing(String contactId, Instant until, String source, String proof) {
      changes.add(new Change("PAUSE", contactId, null, Purpose.MARKETING, ConsentMethod.KEYWORD, proof, until));
    }

    List<Change> of(String contactId) {
      return changes.stream().filter(c -> c.contactId().equals(contactId)).toList();
    }
  }

  /** Records each send as an OUT row of the message table, idempotent by key. */
  public static class FakeSender implements SendPipeline {
    final MessageLog log;
    final Clock clock;

    FakeSender(MessageLog log, Clock clock) {
      this.log = log;
      this.clock = clock;
    }

    @Override
    public SendResult send(SendRequest r) {
      Optional<MessageRecord> first = log.findByIdempotencyKey(r.idempotencyKey());
      if (first.isPresent()) {
        return new SendResult(SendOutcome.SENT, "duplicate request", first.get().id(), null);
      }
      Instant now = clock.instant();
      MessageRecord m = new MessageRecord(UUID.randomUUID().toString(), r.contactId(), Direction.OUT, r.channel(),
          r.category().name(), "SENT", r.text(), "36180", null, "FAKE", null, r.idempotencyKey(),
          r.step().processInstanceId(), r.step().journeyKey(), r.step().journeyVersion(), r.step().stepId(), r.variant(),
          1, "GSM7", null, null, null, now, now);
      try {
        log.insert(m);
      } catch (DuplicateKeyException e) {
        return new SendResult(SendOutcome.SENT, "duplicate request", log.findByIdempotencyKey(r.idempotencyKey()).orElseThrow().id(), null);
      }
      return new SendResult(SendOutcome.SENT, null, m.id(), null);
    }
  }
}
