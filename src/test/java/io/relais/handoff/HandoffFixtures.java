package io.relais.handoff;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.contact.HolidayZone;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.ZoneId;
import java.util.Map;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;

/** Test data for handoffs: a fresh contact with a name and phone, and inbound messages. */
final class HandoffFixtures {

  private HandoffFixtures() {}

  /** A new contact "Marie Dupont"-like with a random id, in whichever contact directory runs. */
  static Contact contact(ContactDirectory directory, JdbcTemplate jdbc, Clock clock, String first, String last) {
    String id = "c-" + UUID.randomUUID();
    String phone = "+336" + String.format("%08d", Math.abs(id.hashCode()) % 100_000_000);
    Contact c = new Contact(id, phone, null, first, last, "fr-FR", ZoneId.of("Europe/Paris"), "75011",
        HolidayZone.METROPOLE, Map.of(), false);
    if (directory instanceof HandoffTestDoubles.InMemoryContacts mem) {
      mem.add(c);
    } else {
      // The real contact registry: its table (V100) takes the row directly.
      Timestamp now = Timestamp.from(clock.instant());
      jdbc.update("insert into contact (id, phone, first_name, last_name, locale, time_zone, postal_code, holiday_zone, "
              + "last_activity_at, created_at, updated_at) values (?,?,?,?,?,?,?,?,?,?,?)",
          id, phone, first, last, "fr-FR", "Europe/Paris", "75011", "METROPOLE", now, now, now);
    }
    return c;
  }

  static MessageRecord inbound(MessageLog log, Clock clock, String contactId, Channel channel, String body) {
    return log.insert(MessageRecord.inbound(UUID.randomUUID().toString(), contactId, channel, body, "+33600000000",
        "+33937000000", "simulator", UUID.randomUUID().toString(), clock.instant()));
  }
}
