package io.relais.outbound;

import io.relais.contact.Channel;
import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentMethod;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.contact.HolidayZone;
import io.relais.contact.Purpose;
import io.relais.contact.SendSubject;
import io.relais.contact.SendSubjects;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The send pipeline built by hand on a fresh database (H2 by default) with in-memory fakes of the
 * contact feature, a controllable clock and a recording provider: fast tests of the rules without
 * a Spring context, and any provider configuration per test.
 */
final class OutboundFixture {

  final MutableClock clock = new MutableClock(Instant.parse("2026-07-08T10:00:00Z"));
  final FakeContacts contacts = new FakeContacts();
  final DataSource dataSource;
  final JdbcTemplate jdbc;
  final MessageLog messages;
  final OutboundStore store;
  final List<Object> events = new CopyOnWriteArrayList<>();
  final RecordingProvider phone = new RecordingProvider("FAKE_TWILIO");
  OutboundProperties props = OutboundProperties.defaults();
  MessageProvider phoneProvider = phone;
  MessageProvider emailProvider = new SimulatorProvider();
  UnsubscribeLinks unsubscribeLinks = (id, channel) -> Optional.of("http://localhost:8080/u/tok-" + id);

  OutboundFixture() {
    this(h2());
  }

  OutboundFixture(DataSource dataSource) {
    this.dataSource = dataSource;
    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    this.jdbc = new JdbcTemplate(dataSource);
    this.messages = new MessageLog(jdbc, clock);
    this.store = new OutboundStore(jdbc, new DataSourceTransactionManager(dataSource));
  }

  static DataSource h2() {
    return new DriverManagerDataSource("jdbc:h2:mem:outbound-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
  }

  CompliantSendPipeline pipeline() {
    return pipeline(new DataSourceTransactionManager(dataSource));
  }

  CompliantSendPipeline pipeline(org.springframework.transaction.PlatformTransactionManager transactions) {
    CompliantSendPipeline pipeline = new CompliantSendPipeline(contacts, contacts, contacts, messages, store, props,
        new Providers(phoneProvider, emailProvider), clock, transactions, events::add, unsubscribeLinks);
    pipeline.setSendSubjects(contacts); // as wired in the application: the recipient read at once
    return pipeline;
  }

  Contact contact(String firstName, HolidayZone zone, Map<String, Object> attributes) {
    String id = "c-" + UUID.randomUUID();
    Contact c = new Contact(id, "+3361" + String.format("%07d", Math.abs(id.hashCode() % 10_000_000)), id + "@example.org",
        firstName, "Martin", "fr-FR", ZoneId.of("Europe/Paris"), zone == HolidayZone.ALSACE_MOSELLE ? "67000" : "75011",
        zone, attributes, false);
    contacts.add(c);
    return c;
  }

  Contact optedIn(Channel... channels) {
    Contact c = contact("Camille", HolidayZone.METROPOLE, Map.of("city", "Lyon"));
    for (Channel ch : channels) {
      contacts.grant(c.id(), ch);
    }
    return c;
  }

  void inbound(String contactId, Channel channel, Instant at) {
    messages.insert(MessageRecord.inbound(UUID.randomUUID().toString(), contactId, channel, "Bonjour", "x", "y", "TWILIO",
        "SM" + UUID.randomUUID(), at));
  }

  static SendRequest request(String key, String contactId, Channel channel, MessageCategory category, String text) {
    return new SendRequest(key, contactId, channel, category, text, "Sujet", Map.of(), null, false,
        new JourneyStep("pi-1", "cart-abandoned", 3, "Call_SendReminder"), null);
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A provider that records what it was given and can be told to fail. */
  static final class RecordingProvider implements MessageProvider {
    final String name;
    final List<OutboundMessage> sent = new CopyOnWriteArrayList<>();
    volatile RuntimeException failWith;

    RecordingProvider(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public boolean external() {
      return true;
    }

    @Override
    public Receipt send(OutboundMessage message) {
      if (failWith != null) {
        throw failWith;
      }
      sent.add(message);
      return new Receipt("SM" + message.messageId().replace("-", ""), "SENT");
    }
  }

  /** In-memory contacts and consent ledger, standing in for the contact feature. */
  static final class FakeContacts implements ContactDirectory, ConsentPolicy, ConsentChanges, SendSubjects {
    final Map<String, Contact> byId = new ConcurrentHashMap<>();
    /** The look-ups asked of the fake, by method name, in order. */
    final List<String> lookups = new CopyOnWriteArrayList<>();
    final Map<String, ConsentVerdict> marketing = new ConcurrentHashMap<>();
    final List<String> withdrawals = new CopyOnWriteArrayList<>();

    void add(Contact c) {
      byId.put(c.id(), c);
    }

    void grant(String contactId, Channel channel) {
      marketing.put(contactId + "|" + channel, ConsentVerdict.GRANTED);
    }

    void set(String contactId, Channel channel, ConsentVerdict verdict) {
      marketing.put(contactId + "|" + channel, verdict);
    }

    @Override
    public ConsentVerdict check(String contactId, Channel channel, Purpose purpose) {
      lookups.add("check");
      return verdict(contactId, channel, purpose);
    }

    @Override
    public Optional<SendSubject> findForSend(String contactId, Channel channel, Purpose purpose) {
      lookups.add("findForSend");
      return Optional.ofNullable(byId.get(contactId))
          .map(c -> new SendSubject(c, purpose == null ? null : verdict(contactId, channel, purpose), false));
    }

    private ConsentVerdict verdict(String contactId, Channel channel, Purpose purpose) {
      if (!byId.containsKey(contactId)) {
        return ConsentVerdict.UNKNOWN_CONTACT;
      }
      ConsentVerdict v = marketing.get(contactId + "|" + channel);
      if (v == ConsentVerdict.SUPPRESSED) {
        return v;
      }
      if (purpose == Purpose.TRANSACTIONAL) {
        return ConsentVerdict.NOT_REQUIRED;
      }
      return v == null ? ConsentVerdict.NO_GRANT : v;
    }

    @Override
    public Optional<Contact> find(String contactId) {
      lookups.add("find");
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

    @Override
    public void withdraw(String contactId, Channel channel, Purpose purpose, ConsentMethod method, String source, String proof) {
      withdrawals.add(contactId + "|" + channel + "|" + purpose + "|" + method + "|" + source);
      set(contactId, channel, ConsentVerdict.WITHDRAWN);
    }

    @Override
    public boolean regrantByKeyword(String contactId, Channel channel, String source, String proof) {
      return false;
    }

    @Override
    public void pauseMarketing(String contactId, Instant until, String source, String proof) {}
  }

  List<MessageRecord> transcript(String contactId) {
    return new ArrayList<>(messages.transcript(contactId));
  }
}
