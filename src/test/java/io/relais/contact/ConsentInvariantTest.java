package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Thousands of random grants and withdrawals, some back-dated: the policy, and the send pipeline's
 * look-up of its recipient, always answer what the latest event (by time, then order) for that
 * exact channel and purpose says.
 */
@RelaisSpringTest
class ConsentInvariantTest {

  @Autowired ContactRegistry registry;
  @Autowired ConsentLedger ledger;
  @Autowired ConsentChanges changes;
  @Autowired ConsentPolicy policy;

  private record Latest(ConsentStatus status, Instant at, long order) {}

  @Test
  void policyEqualsTheLatestEventForThatChannelAndPurpose() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    Instant base = Instant.now().truncatedTo(ChronoUnit.MILLIS).minus(Duration.ofDays(1));
    int events = 0;
    for (int contact = 0; contact < 50; contact++) {
      String id = ConsentLedgerTest.freshId();
      registry.save(new ContactInput(id, null, null, null, null, null, null, null, null, null, null));
      Map<String, Latest> model = new HashMap<>();
      long order = 0;
      for (int step = 0; step < 40; step++, events++) {
        Channel channel = Channel.values()[random.nextInt(Channel.values().length)];
        boolean allPurposes = random.nextInt(10) == 0;
        Purpose purpose = Purpose.values()[random.nextInt(2)];
        ConsentStatus status = allPurposes || random.nextBoolean() ? ConsentStatus.WITHDRAWN : ConsentStatus.GRANTED;
        // A few events arrive late with an earlier time (imports), most happen "now" in sequence.
        Instant at = base.plusSeconds(random.nextInt(8) == 0 ? random.nextInt(step + 1) : step + 1);
        order++;
        if (allPurposes) {
          changes.withdraw(id, channel, null, ConsentMethod.KEYWORD, "random", null);
          for (Purpose p : Purpose.values()) {
            // withdraw() happens at the current time, later than every back-dated event
            model.put(channel + "/" + p, new Latest(ConsentStatus.WITHDRAWN, Instant.now(), order));
          }
        } else {
          ledger.append(ConsentEvent.of(id, channel, purpose, status, status == ConsentStatus.GRANTED ? LegalBasis.CONSENT : null,
              ConsentMethod.API, "random", null).at(at));
          Latest previous = model.get(channel + "/" + purpose);
          if (previous == null || previous.at().isBefore(at) || previous.at().equals(at)) {
            model.put(channel + "/" + purpose, new Latest(status, at, order));
          }
        }
        for (Channel c : Channel.values()) {
          for (Purpose p : Purpose.values()) {
            Latest latest = model.get(c + "/" + p);
            ConsentVerdict expected = p == Purpose.MARKETING
                ? (latest == null ? ConsentVerdict.NO_GRANT : latest.status() == ConsentStatus.GRANTED ? ConsentVerdict.GRANTED : ConsentVerdict.WITHDRAWN)
                : (latest != null && latest.status() == ConsentStatus.WITHDRAWN ? ConsentVerdict.WITHDRAWN : ConsentVerdict.NOT_REQUIRED);
            assertThat(policy.check(id, c, p)).as("seed %d contact %d step %d %s/%s", seed, contact, step, c, p).isEqualTo(expected);
            // the send pipeline's own look-up (contact, consent and handoff in one statement) answers the same
            assertThat(registry.findForSend(id, c, p).orElseThrow().verdict()).as("send look-up, seed %d contact %d step %d %s/%s",
                seed, contact, step, c, p).isEqualTo(expected);
          }
        }
      }
    }
    assertThat(events).isEqualTo(2000);
  }
}
