package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.Contact;
import io.relais.contact.HolidayZone;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random sends over random contacts, consents, caps and instants with a controlled
 * clock: no marketing goes without consent, in quiet hours or over a cap, and every message policy
 * allowed is sent (deferred ones when due), none dropped.
 */
class SendPolicyInvariantTest {

  static final Channel[] CHANNELS = {Channel.SMS, Channel.WHATSAPP, Channel.EMAIL};
  static final MessageCategory[] CATEGORIES = {MessageCategory.MARKETING, MessageCategory.MARKETING, MessageCategory.TRANSACTIONAL,
      MessageCategory.SERVICE};

  record Pending(SendRequest request, Instant due, int attempt) {}

  @Test
  void randomTrafficNeverBreaksPolicyAndNeverDropsAnAllowedMessage() {
    Random random = new Random(20260708L);
    OutboundFixture f = new OutboundFixture();
    f.props = new OutboundProperties(null, null, Map.of(Channel.SMS, "2/P1D,4/P7D", Channel.WHATSAPP, "1/P1D", Channel.EMAIL, "3/P2D"),
        null, null, null, null, null, null);
    CompliantSendPipeline pipeline = f.pipeline();
    List<Contact> contacts = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Contact c = f.contact("Client" + i, random.nextBoolean() ? HolidayZone.METROPOLE : HolidayZone.ALSACE_MOSELLE, Map.of());
      if (i % 5 == 0) { // some overseas contacts: the window is theirs
        c = new Contact(c.id(), c.phone(), c.email(), c.firstName(), c.lastName(), c.locale(), ZoneId.of("Indian/Reunion"),
            "97400", c.holidayZone(), c.attributes(), false);
        f.contacts.add(c);
      }
      contacts.add(c);
    }
    Deque<Pending> deferred = new ArrayDeque<>();
    Map<String, List<Instant>> marketingSent = new HashMap<>();
    int requests = 0;
    int sent = 0;
    int refused = 0;
    int deferrals = 0;
    while (requests < 3000 || !deferred.isEmpty()) {
      f.clock.set(f.clock.instant().plus(Duration.ofMinutes(requests < 3000 ? random.nextInt(90) : 600)));
      Instant now = f.clock.instant();
      if (requests < 3000 && random.nextInt(10) == 0) {
        Contact c = contacts.get(random.nextInt(contacts.size()));
        ConsentVerdict[] verdicts = {ConsentVerdict.GRANTED, ConsentVerdict.GRANTED, ConsentVerdict.WITHDRAWN, ConsentVerdict.SUPPRESSED, ConsentVerdict.NO_GRANT};
        f.contacts.set(c.id(), CHANNELS[random.nextInt(CHANNELS.length)], verdicts[random.nextInt(verdicts.length)]);
      }
      List<Pending> due = new ArrayList<>();
      deferred.removeIf(p -> !p.due().isAfter(now) && due.add(p));
      List<Pending> batch = new ArrayList<>(due);
      if (requests < 3000) {
        Contact c = contacts.get(random.nextInt(contacts.size()));
        Channel channel = CHANNELS[random.nextInt(CHANNELS.length)];
        MessageCategory category = CATEGORIES[random.nextInt(CATEGORIES.length)];
        SendRequest r = new SendRequest("inv-" + requests, c.id(), channel, category, "Bonjour {{firstName}}", "Offre", Map.of(),
            channel == Channel.WHATSAPP ? "HXtemplate" : null, false, JourneyStep.NONE, null);
        batch.add(new Pending(r, now, 0));
        requests++;
      }
      for (Pending p : batch) {
        SendRequest base = p.request();
        SendRequest r = new SendRequest(base.idempotencyKey() + "#" + p.attempt(), base.contactId(), base.channel(), base.category(),
            base.text(), base.subject(), base.variables(), base.contentSid(), false, base.step(), null);
        Contact c = f.contacts.find(r.contactId()).orElseThrow();
        ConsentVerdict consentNow = f.contacts.check(c.id(), r.channel(), r.category().purpose());
        SendResult result = pipeline.send(r);
        switch (result.outcome()) {
          case SENT -> {
            sent++;
            assertThat(consentNow.allowed()).as("sent without consent: %s", r).isTrue();
            if (r.category() == MessageCategory.MARKETING) {
              if (f.props.windowEnabled(r.channel())) {
                assertThat(f.props.windowFor(r.channel()).nextAllowed(now, c.timeZone(), c.holidayZone()))
                    .as("marketing sent in quiet hours: %s at %s", r, now).isEqualTo(now);
              }
              marketingSent.computeIfAbsent(c.id() + "|" + r.channel(), k -> new ArrayList<>()).add(now);
            }
          }
          case NO_CONSENT, SUPPRESSED -> {
            refused++;
            assertThat(consentNow.allowed()).as("refused although allowed: %s %s", r, result).isFalse();
          }
          case CAPPED -> {
            refused++;
            assertThat(r.category()).isEqualTo(MessageCategory.MARKETING);
            List<Instant> history = marketingSent.getOrDefault(c.id() + "|" + r.channel(), List.of());
            boolean reached = f.props.capsFor(r.channel()).stream()
                .anyMatch(cap -> history.stream().filter(t -> t.isAfter(now.minus(cap.period()))).count() >= cap.max());
            assertThat(reached).as("capped below the cap: %s", r).isTrue();
          }
          case DEFERRED -> {
            deferrals++;
            assertThat(result.notBefore()).isAfter(now);
            deferred.add(new Pending(base, result.notBefore(), p.attempt() + 1));
          }
          case FAILED -> throw new AssertionError("unexpected failure " + result + " for " + r);
        }
      }
    }
    for (Map.Entry<String, List<Instant>> e : marketingSent.entrySet()) {
      Channel channel = Channel.valueOf(e.getKey().substring(e.getKey().indexOf('|') + 1));
      for (FrequencyCap cap : f.props.capsFor(channel)) {
        for (Instant t : e.getValue()) {
          long inWindow = e.getValue().stream().filter(x -> x.isAfter(t.minus(cap.period())) && !x.isAfter(t)).count();
          assertThat(inWindow).as("cap %s broken for %s", cap, e.getKey()).isLessThanOrEqualTo(cap.max());
        }
      }
    }
    assertThat(deferred).as("every deferred message was eventually handled").isEmpty();
    assertThat(f.phone.sent.size() + countSimulated(f)).as("each SENT outcome reached exactly one provider call").isEqualTo(sent);
    assertThat(sent).isGreaterThan(500);
    assertThat(refused).isGreaterThan(100);
    assertThat(deferrals).isGreaterThan(100);
  }

  private static int countSimulated(OutboundFixture f) {
    Integer n = f.jdbc.queryForObject("select count(*) from message where provider = 'SIMULATOR' and status = 'DELIVERED'", Integer.class);
    return n == null ? 0 : n;
  }
}
