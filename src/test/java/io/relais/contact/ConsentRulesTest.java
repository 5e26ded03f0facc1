package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConsentRulesTest {

  private static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");

  @Test
  void marketingNeedsACurrentGrant() {
    assertThat(ConsentRules.verdict(false, Purpose.MARKETING, null, null, NOW)).isEqualTo(ConsentVerdict.NO_GRANT);
    assertThat(ConsentRules.verdict(false, Purpose.MARKETING, ConsentStatus.GRANTED, null, NOW)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(ConsentRules.verdict(false, Purpose.MARKETING, ConsentStatus.WITHDRAWN, null, NOW)).isEqualTo(ConsentVerdict.WITHDRAWN);
  }

  @Test
  void transactionalNeedsNoGrantButHonoursWithdrawal() {
    assertThat(ConsentRules.verdict(false, Purpose.TRANSACTIONAL, null, null, NOW)).isEqualTo(ConsentVerdict.NOT_REQUIRED);
    assertThat(ConsentRules.verdict(false, Purpose.TRANSACTIONAL, ConsentStatus.GRANTED, null, NOW)).isEqualTo(ConsentVerdict.NOT_REQUIRED);
    assertThat(ConsentRules.verdict(false, Purpose.TRANSACTIONAL, ConsentStatus.WITHDRAWN, null, NOW)).isEqualTo(ConsentVerdict.WITHDRAWN);
  }

  @Test
  void pauseHoldsMarketingOnlyUntilItsEnd() {
    Instant until = NOW.plusSeconds(3600);
    assertThat(ConsentRules.verdict(false, Purpose.MARKETING, ConsentStatus.GRANTED, until, NOW)).isEqualTo(ConsentVerdict.PAUSED);
    assertThat(ConsentRules.verdict(false, Purpose.MARKETING, ConsentStatus.GRANTED, until, until)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(ConsentRules.verdict(false, Purpose.TRANSACTIONAL, null, until, NOW)).isEqualTo(ConsentVerdict.NOT_REQUIRED);
  }

  @Test
  void erasedContactsAreSuppressedWhateverTheLedgerSays() {
    for (Purpose p : Purpose.values()) {
      assertThat(ConsentRules.verdict(true, p, ConsentStatus.GRANTED, null, NOW)).isEqualTo(ConsentVerdict.SUPPRESSED);
    }
  }
}
