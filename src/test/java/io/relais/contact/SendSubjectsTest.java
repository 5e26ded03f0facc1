package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.handoff.HandoffRegistry;
import io.relais.handoff.HandoffResolution;
import io.relais.support.RelaisSpringTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The send pipeline's one look-up of its recipient ({@link ContactRegistry#findForSend}) answers
 * what the directory, the consent policy and the handoff registry answer one by one, in every
 * state a contact can be in: granted, never granted, withdrawn, paused, erased, unknown, with a
 * handoff open or closed, for a message that needs consent and for a compliance answer.
 */
@RelaisSpringTest
class SendSubjectsTest {

  @Autowired ContactRegistry registry;
  @Autowired ConsentLedger ledger;
  @Autowired ConsentChanges changes;
  @Autowired ContactPrivacy privacy;
  @Autowired HandoffRegistry handoffs;

  @Test
  void theOneLookUpAnswersWhatTheThreeAnswer() {
    String granted = contact("+33612000001");
    grant(granted, Channel.SMS);
    String never = contact("+33612000002");
    String withdrawn = contact("+33612000003");
    grant(withdrawn, Channel.SMS);
    changes.withdraw(withdrawn, Channel.SMS, null, ConsentMethod.KEYWORD, "sms", "STOP");
    String paused = contact("+33612000004");
    grant(paused, Channel.SMS);
    changes.pauseMarketing(paused, Instant.now().plus(Duration.ofDays(3)), "sms", "PAUSE");
    String erased = contact("+33612000005");
    grant(erased, Channel.SMS);
    privacy.erase(erased);
    String withAgent = contact("+33612000006");
    grant(withAgent, Channel.SMS);
    handoffs.open(withAgent, "pi-" + withAgent, "sensitive", "support", "SMS", false, Instant.now());
    String handedBack = contact("+33612000007");
    handoffs.open(handedBack, "pi-" + handedBack, "sensitive", "support", "SMS", false, Instant.now());
    handoffs.close("pi-" + handedBack, HandoffResolution.BOT, Instant.now());
    String unknown = ConsentLedgerTest.freshId();

    for (String id : List.of(granted, never, withdrawn, paused, erased, withAgent, handedBack, unknown)) {
      for (Channel channel : Channel.values()) {
        for (Purpose purpose : new Purpose[] {Purpose.MARKETING, Purpose.TRANSACTIONAL, null}) {
          var subject = registry.findForSend(id, channel, purpose);
          assertThat(subject.map(SendSubject::contact)).as("contact %s", id).isEqualTo(registry.find(id));
          if (subject.isPresent()) {
            assertThat(subject.get().verdict()).as("verdict of %s on %s for %s", id, channel, purpose)
                .isEqualTo(purpose == null ? null : ledger.check(id, channel, purpose));
            assertThat(subject.get().handoffOpen()).as("handoff of %s open", id).isEqualTo(handoffs.isHumanOwned(id));
          } else {
            assertThat(ledger.check(id, channel, Purpose.MARKETING)).isEqualTo(ConsentVerdict.UNKNOWN_CONTACT);
          }
        }
      }
    }
    // the states above are what they claim to be
    assertThat(Map.of(granted, ConsentVerdict.GRANTED, never, ConsentVerdict.NO_GRANT, withdrawn, ConsentVerdict.WITHDRAWN,
        paused, ConsentVerdict.PAUSED, erased, ConsentVerdict.SUPPRESSED)).allSatisfy((id, verdict) ->
        assertThat(registry.findForSend(id, Channel.SMS, Purpose.MARKETING).orElseThrow().verdict()).as(id).isEqualTo(verdict));
    assertThat(registry.findForSend(withAgent, Channel.SMS, Purpose.MARKETING).orElseThrow().handoffOpen()).isTrue();
    assertThat(registry.findForSend(handedBack, Channel.SMS, Purpose.MARKETING).orElseThrow().handoffOpen()).isFalse();
    assertThat(registry.findForSend(unknown, Channel.SMS, Purpose.MARKETING)).isEmpty();
  }

  private String contact(String phone) {
    String id = ConsentLedgerTest.freshId();
    String unique = phone.substring(0, 6) + String.format("%06d", Math.floorMod(id.hashCode(), 1_000_000));
    registry.save(new ContactInput(id, unique, id + "@example.org", "Inès", null, null, null, null, null, null, null));
    return id;
  }

  private void grant(String id, Channel channel) {
    ledger.append(ConsentEvent.of(id, channel, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT, ConsentMethod.API,
        "test", null));
  }
}
