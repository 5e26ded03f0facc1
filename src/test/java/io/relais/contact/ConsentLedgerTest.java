package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.support.RelaisSpringTest;
import io.relais.web.ConflictException;
import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The contracts other features use: ContactDirectory, ConsentPolicy, ConsentChanges, on the real database. */
@RelaisSpringTest
class ConsentLedgerTest {

  @Autowired ContactDirectory directory;
  @Autowired ContactRegistry registry;
  @Autowired ConsentPolicy policy;
  @Autowired ConsentChanges changes;
  @Autowired ConsentLedger ledger;
  @Autowired SuppressionList suppression;

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  static String freshId() {
    return "c-" + UUID.randomUUID();
  }

  static String freshMobile() {
    return String.format("+3361%07d", ThreadLocalRandom.current().nextInt(10_000_000));
  }

  private String newContact() {
    String id = freshId();
    registry.save(new ContactInput(id, freshMobile(), null, "Marie", null, null, null, null, null, null, null));
    return id;
  }

  private void grant(String id, Channel channel) {
    ledger.append(ConsentEvent.of(id, channel, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.API, "test", null));
  }

  @Test
  void directoryFindsByIdPhoneAndEmailWithDerivedZones() {
    String id = freshId();
    String local = "06" + freshMobile().substring(4);
    registry.save(new ContactInput(id, local.replaceAll("(\\d\\d)", "$1 ").strip(), "Jean." + id + "@Exemple.fr", "Jean",
        "Martin", "fr-FR", null, "67000", null, null, null));
    Contact c = directory.find(id).orElseThrow();
    assertThat(c.phone()).isEqualTo("+33" + local.substring(1));
    assertThat(c.email()).isEqualTo(("jean." + id + "@exemple.fr").toLowerCase());
    assertThat(c.timeZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(c.holidayZone()).isEqualTo(HolidayZone.ALSACE_MOSELLE);
    assertThat(directory.findByPhone(c.phone())).contains(c);
    assertThat(directory.findByEmail(c.email().toUpperCase())).contains(c);
    assertThat(directory.find(freshId())).isEmpty();
  }

  @Test
  void findOrCreateByPhoneCreatesOnceWithoutConsent() {
    String phone = "+262692" + String.format("%06d", ThreadLocalRandom.current().nextInt(1_000_000));
    Contact first = directory.findOrCreateByPhone(phone);
    Contact again = directory.findOrCreateByPhone(phone);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(first.timeZone()).isEqualTo(ZoneId.of("Indian/Reunion"));
    assertThat(policy.check(first.id(), Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.NO_GRANT);
    assertThat(policy.check(first.id(), Channel.SMS, Purpose.TRANSACTIONAL)).isEqualTo(ConsentVerdict.NOT_REQUIRED);
  }

  @Test
  void suppressedPhonesAreNeverCreatedAgain() {
    String phone = freshMobile();
    suppression.add("PHONE", phone, SuppressionList.REASON_ERASED);
    assertThatThrownBy(() -> directory.findOrCreateByPhone(phone)).isInstanceOf(ConflictException.class)
        .hasMessageContaining("SUPPRESSED");
    assertThatThrownBy(() -> registry.save(new ContactInput(freshId(), phone, null, null, null, null, null, null, null, null, null)))
        .isInstanceOf(ConflictException.class).hasMessageContaining("phone");
  }

  @Test
  void marketingNeedsAGrantForThatVeryChannel() {
    String id = newContact();
    grant(id, Channel.SMS);
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(policy.check(id, Channel.WHATSAPP, Purpose.MARKETING)).isEqualTo(ConsentVerdict.NO_GRANT);
    assertThat(policy.check(id, Channel.EMAIL, Purpose.MARKETING)).isEqualTo(ConsentVerdict.NO_GRANT);
    assertThat(policy.check(freshId(), Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.UNKNOWN_CONTACT);
  }

  @Test
  void withdrawWithoutPurposeStopsEverythingOnThatChannelAndStartRegrants() {
    String id = newContact();
    grant(id, Channel.SMS);
    grant(id, Channel.EMAIL);
    changes.withdraw(id, Channel.SMS, null, ConsentMethod.KEYWORD, "inbound:sms", "SM123");
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);
    assertThat(policy.check(id, Channel.SMS, Purpose.TRANSACTIONAL)).isEqualTo(ConsentVerdict.WITHDRAWN);
    assertThat(policy.check(id, Channel.EMAIL, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);

    assertThat(changes.regrantByKeyword(id, Channel.SMS, "inbound:sms", "SM124")).isTrue();
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(policy.check(id, Channel.SMS, Purpose.TRANSACTIONAL)).isEqualTo(ConsentVerdict.NOT_REQUIRED);
    assertThat(ledger.history(id)).extracting(ConsentEvent::proof).contains("SM123", "SM124");
  }

  @Test
  void startNeverGrantsWhatWasNeverGranted() {
    String id = newContact();
    assertThat(changes.regrantByKeyword(id, Channel.SMS, "inbound:sms", "SM1")).isFalse();
    changes.withdraw(id, Channel.SMS, Purpose.MARKETING, ConsentMethod.KEYWORD, "inbound:sms", "SM2");
    assertThat(changes.regrantByKeyword(id, Channel.SMS, "inbound:sms", "SM3")).isFalse();
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);
  }

  @Test
  void pauseHoldsMarketingUntilTheDate() {
    Instant start = Instant.parse("2026-03-02T09:00:00Z");
    ClockUtil.setCurrentTime(Date.from(start));
    String id = newContact();
    grant(id, Channel.SMS);
    changes.pauseMarketing(id, start.plus(Duration.ofDays(30)), "inbound:sms", "SM9");
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.PAUSED);
    assertThat(policy.check(id, Channel.SMS, Purpose.TRANSACTIONAL)).isEqualTo(ConsentVerdict.NOT_REQUIRED);
    ClockUtil.setCurrentTime(Date.from(start.plus(Duration.ofDays(30))));
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
  }

  @Test
  void anOlderEventNeverOverridesANewerOne() {
    String id = newContact();
    changes.withdraw(id, Channel.SMS, Purpose.MARKETING, ConsentMethod.KEYWORD, "inbound:sms", "SM-stop");
    // A file imported later brings a grant collected a year ago: the withdrawal stays in force.
    ledger.append(ConsentEvent.of(id, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.IMPORT, "import", null).at(Instant.now().minus(Duration.ofDays(365))));
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);
    assertThat(ledger.history(id)).hasSize(2);
  }

  @Test
  void badEventsAreRefusedNamingTheField() {
    String id = newContact();
    assertThatThrownBy(() -> ledger.append(ConsentEvent.of(id, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED,
        LegalBasis.CONSENT, ConsentMethod.CHECKBOX, "https://shop/form", null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("wording");
    assertThatThrownBy(() -> ledger.append(ConsentEvent.of(id, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED,
        LegalBasis.CONSENT, ConsentMethod.API, " ", null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("source");
    assertThatThrownBy(() -> grant(freshId(), Channel.SMS)).isInstanceOf(NotFoundException.class);
    assertThat(ledger.history(id)).isEmpty();
  }
}
