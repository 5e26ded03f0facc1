package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.HolidayZone;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;

/**
 * Thousands of random messages queued by journeys' transactions and handed over by the outbox
 * late, early or in between, while consents change, evenings come and providers refuse now and
 * then: at the moment of every provider call, the message has consent, a marketing one is inside
 * the sending window, and no cap is exceeded counting the calls themselves; every message ends
 * sent or refused with a reason, none is left behind and none leaves twice.
 */
class SendOutboxInvariantTest {

  static final Channel[] CHANNELS = {Channel.SMS, Channel.EMAIL};
  static final MessageCategory[] CATEGORIES = {MessageCategory.MARKETING, MessageCategory.MARKETING, MessageCategory.TRANSACTIONAL,
      MessageCategory.SERVICE};

  /** A provider that checks the rules at the instant it is called, and refuses one call in ten. */
  final class CheckingProvider implements MessageProvider {
    final String name;
    final List<String> violations = new ArrayList<>();
    final Map<String, List<Instant>> marketingCalls = new HashMap<>();
    final Set<String> delivered = ConcurrentHashMap.newKeySet();
    int calls;

    CheckingProvider(String name) {
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
    public Receipt send(OutboundMessage m) {
      calls++;
      Instant now = f.clock.instant();
      Contact c = f.contacts.find(m.contactId()).orElseThrow();
      if (!f.contacts.check(m.contactId(), m.channel(), m.category().purpose()).allowed()) {
        violations.add("sent without consent: " + m.messageId() + " at " + now);
      }
      if (m.category() == MessageCategory.MARKETING && f.props.windowEnabled(m.channel())) {
        if (!f.props.windowFor(m.channel()).nextAllowed(now, c.timeZone(), c.holidayZone()).equals(now)) {
          violations.add("marketing sent in quiet hours: " + m.messageId() + " at " + now);
        }
      }
      if (random.nextInt(10) == 0) {
        throw new ProviderException("busy", "20503", false, null); // answered: certainly not sent
      }
      if (!delivered.add(m.messageId())) {
        violations.add("sent twice: " + m.messageId());
      }
      if (m.category() == MessageCategory.MARKETING) {
        marketingCalls.computeIfAbsent(m.contactId() + "|" + m.channel(), k -> new ArrayList<>()).add(now);
      }
      return new Receipt(name + "-" + m.messageId(), "SENT");
    }
  }

  final Random random = new Random(20261130L);
  final OutboundFixture f = new OutboundFixture();

  @Test
  void randomQueuesAndLateDispatchesNeverBreakPolicyAndLeaveNothingBehind() throws InterruptedException {
    f.props = new OutboundProperties(null, null, Map.of(Channel.SMS, "2/P1D,4/P7D", Channel.EMAIL, "3/P2D"),
        null, null, null, null, null, null);
    CheckingProvider phone = new CheckingProvider("FAKE_TWILIO");
    CheckingProvider email = new CheckingProvider("FAKE_SENDGRID");
    f.phoneProvider = phone;
    f.emailProvider = email;
    CompliantSendPipeline pipeline = f.pipeline();
    SendOutbox outbox = new SendOutbox(pipeline, f.messages, f.jdbc, new DataSourceTransactionManager(f.dataSource), f.clock,
        new StaticListableBeanFactory().getBeanProvider(ProcessEngine.class), DeliveryProperties.defaults(), 1, 10, 4, Duration.ofMinutes(20), 1000);
    List<Contact> contacts = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Contact c = f.contact("Client" + i, random.nextBoolean() ? HolidayZone.METROPOLE : HolidayZone.ALSACE_MOSELLE, Map.of());
      if (i % 4 == 0) { // some overseas contacts: the window is theirs
        c = new Contact(c.id(), c.phone(), c.email(), c.firstName(), c.lastName(), c.locale(), ZoneId.of("Indian/Reunion"),
            "97400", c.holidayZone(), c.attributes(), false);
        f.contacts.add(c);
      }
      for (Channel ch : CHANNELS) {
        f.contacts.grant(c.id(), ch);
      }
      contacts.add(c);
    }
    ConsentVerdict[] verdicts = {ConsentVerdict.GRANTED, ConsentVerdict.GRANTED, ConsentVerdict.WITHDRAWN, ConsentVerdict.SUPPRESSED};
    int queued = 0;
    int acceptedAtQueue = 0;
    try {
      for (int step = 0; step < 3000; step++) {
        f.clock.set(f.clock.instant().plus(Duration.ofMinutes(random.nextInt(60))));
        if (random.nextInt(8) == 0) {
          Contact c = contacts.get(random.nextInt(contacts.size()));
          f.contacts.set(c.id(), CHANNELS[random.nextInt(CHANNELS.length)], verdicts[random.nextInt(verdicts.length)]);
        }
        Contact c = contacts.get(random.nextInt(contacts.size()));
        Channel channel = CHANNELS[random.nextInt(CHANNELS.length)];
        MessageCategory category = CATEGORIES[random.nextInt(CATEGORIES.length)];
        SendResult r = pipeline.queue(new SendRequest("tx:" + step, c.id(), channel, category, "Bonjour {{firstName}}", "Offre",
            Map.of(), null, false, JourneyStep.NONE, null));
        queued++;
        if (r.outcome() == SendOutcome.SENT) {
          acceptedAtQueue++;
        }
        if (random.nextInt(3) == 0) { // the dispatcher is late two times in three
          dispatchDue(outbox);
        }
      }
      // then time goes on until the outbox is empty: every message left or was refused
      for (int hour = 0; hour < 24 * 14 && outbox.size() > 0; hour++) {
        f.clock.set(f.clock.instant().plus(Duration.ofHours(1)));
        dispatchDue(outbox);
      }
    } finally {
      outbox.stop();
    }

    assertThat(phone.violations).isEmpty();
    assertThat(email.violations).isEmpty();
    assertThat(outbox.size()).as("nothing left behind").isZero();
    assertThat(f.jdbc.queryForObject("select count(*) from message where status in ('QUEUED', 'PENDING')", Integer.class)).isZero();
    int sentRows = f.jdbc.queryForObject("select count(*) from message where status = 'SENT'", Integer.class);
    assertThat(phone.delivered.size() + email.delivered.size()).as("each SENT row is exactly one accepted provider call").isEqualTo(sentRows);
    for (CheckingProvider provider : List.of(phone, email)) {
      for (Map.Entry<String, List<Instant>> e : provider.marketingCalls.entrySet()) {
        Channel channel = Channel.valueOf(e.getKey().substring(e.getKey().indexOf('|') + 1));
        for (FrequencyCap cap : f.props.capsFor(channel)) {
          for (Instant t : e.getValue()) {
            long inWindow = e.getValue().stream().filter(x -> x.isAfter(t.minus(cap.period())) && !x.isAfter(t)).count();
            assertThat(inWindow).as("cap %s broken for %s by the calls themselves", cap, e.getKey()).isLessThanOrEqualTo(cap.max());
          }
        }
      }
    }
    // the scenario really covered what it claims to
    Map<String, Integer> byStatus = new HashMap<>();
    f.jdbc.query("select status, count(*) from message group by status", rs -> {
      byStatus.put(rs.getString(1), rs.getInt(2));
    });
    System.out.printf("outbox invariant: %d queued, %d accepted at queue time, %d provider calls, by status %s%n", queued,
        acceptedAtQueue, phone.calls + email.calls, byStatus);
    assertThat(sentRows).isGreaterThan(500);
    assertThat(phone.calls + email.calls).as("refusals retried").isGreaterThan(sentRows);
    assertThat(byStatus.getOrDefault("NO_CONSENT", 0) + byStatus.getOrDefault("SUPPRESSED", 0)).isGreaterThan(100);
    assertThat(byStatus.getOrDefault("CAPPED", 0)).isGreaterThan(50);
  }

  private void dispatchDue(SendOutbox outbox) {
    List<String> due = f.jdbc.queryForList("select message_id from message_outbox where due_at <= ? order by due_at", String.class,
        java.sql.Timestamp.from(f.clock.instant()));
    due.forEach(outbox::dispatch);
  }
}
