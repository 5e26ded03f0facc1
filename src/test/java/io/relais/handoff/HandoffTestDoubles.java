package io.relais.handoff;

import io.relais.contact.ConsentPolicy;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.outbound.MessageCategory;
import io.relais.outbound.SendOutcome;
import io.relais.outbound.SendPipeline;
import io.relais.outbound.SendResult;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Stand-ins for the contact registry and the send pipeline, used only while their real
 * implementations (other features) are absent from the classpath; they give way to them.
 */
@Configuration(proxyBeanMethods = false)
public class HandoffTestDoubles {

  @Bean
  @ConditionalOnMissingBean(ContactDirectory.class)
  InMemoryContacts inMemoryContacts() {
    return new InMemoryContacts();
  }

  @Bean
  @ConditionalOnMissingBean(ConsentPolicy.class)
  ConsentPolicy transactionalOnlyConsent() {
    return (contactId, channel, purpose) ->
        purpose == io.relais.contact.Purpose.MARKETING ? ConsentVerdict.NO_GRANT : ConsentVerdict.NOT_REQUIRED;
  }

  @Bean
  @ConditionalOnMissingBean(SendPipeline.class)
  SendPipeline recordingSendPipeline(MessageLog log, Clock clock) {
    return request -> {
      Optional<MessageRecord> earlier = log.findByIdempotencyKey(request.idempotencyKey());
      if (earlier.isPresent()) {
        return new SendResult(SendOutcome.SENT, "duplicate", earlier.get().id(), null);
      }
      MessageCategory category = request.category();
      MessageRecord m = new MessageRecord(UUID.randomUUID().toString(), request.contactId(), Direction.OUT,
          request.channel(), category.name(), "SENT", request.text(), "+33937000000", null, "simulator",
          UUID.randomUUID().toString(), request.idempotencyKey(), request.step().processInstanceId(),
          request.step().journeyKey(), request.step().journeyVersion(), request.step().stepId(), null, 1, "GSM7",
          null, null, null, clock.instant(), clock.instant());
      log.insert(m);
      return new SendResult(SendOutcome.SENT, null, m.id(), null);
    };
  }

  /** Contacts registered by the tests. */
  public static class InMemoryContacts implements ContactDirectory {
    private final Map<String, Contact> byId = new ConcurrentHashMap<>();

    public void add(Contact c) {
      byId.put(c.id(), c);
    }

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
      return byId.values().stream().filter(c -> email.equals(c.email())).findFirst();
    }

    @Override
    public Contact findOrCreateByPhone(String e164) {
      return findByPhone(e164).orElseThrow();
    }
  }

}
