package io.relais.handoff;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.contact.ContactInput;
import io.relais.contact.ContactRegistry;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** Test data for handoffs: a fresh contact with a name and phone, and inbound messages. */
final class HandoffFixtures {

  private HandoffFixtures() {}

  /** A new contact with a random id and phone, registered in the contact registry. */
  static Contact contact(ContactRegistry contacts, String first, String last) {
    String id = "c-" + UUID.randomUUID();
    String phone = "+3361" + String.format("%07d", ThreadLocalRandom.current().nextInt(10_000_000));
    return contacts.save(new ContactInput(id, phone, null, first, last, "fr-FR", "Europe/Paris", "75011", Map.of(),
        null, null)).contact();
  }

  static MessageRecord inbound(MessageLog log, Clock clock, String contactId, Channel channel, String body) {
    return log.insert(MessageRecord.inbound(UUID.randomUUID().toString(), contactId, channel, body, "+33600000000",
        "+33937000000", "simulator", UUID.randomUUID().toString(), clock.instant()));
  }
}
