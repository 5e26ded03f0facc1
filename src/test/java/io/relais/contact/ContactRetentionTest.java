package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.Date;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Prospects inactive for 3 years go; a click or reply restarts the clock; customers stay. */
@RelaisSpringTest
class ContactRetentionTest {

  @Autowired ContactRegistry registry;
  @Autowired ContactActivity activity;
  @Autowired ContactRetention retention;
  @Autowired ConsentLedger ledger;

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  private String contactAt(Instant when) {
    ClockUtil.setCurrentTime(Date.from(when));
    String id = ConsentLedgerTest.freshId();
    registry.save(new ContactInput(id, ConsentLedgerTest.freshMobile(), null, null, null, null, null, null, null, null, null));
    ledger.append(ConsentEvent.of(id, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.API, "test", null));
    return id;
  }

  @Test
  void inactiveProspectsAreRemovedOnceTheRetentionIsOver() {
    // Back-dated, so that only this test's contacts are old enough to go at today's date.
    Instant now = Instant.now();
    Instant longAgo = now.atZone(ZoneOffset.UTC).minus(Period.ofYears(3)).minusDays(2).toInstant();
    String silent = contactAt(longAgo);
    String clicked = contactAt(longAgo);
    String customer = contactAt(longAgo);
    ClockUtil.setCurrentTime(Date.from(longAgo.plus(Duration.ofDays(1))));
    activity.touch(clicked);
    activity.purchased(customer, longAgo.plus(Duration.ofDays(1)));
    ClockUtil.reset();

    assertThat(retention.run()).isGreaterThanOrEqualTo(2);

    assertThat(registry.find(silent)).isEmpty();
    assertThat(ledger.history(silent)).isEmpty();
    assertThat(registry.find(clicked)).isEmpty(); // its click too is older than 3 years
    assertThat(registry.find(customer)).isPresent();
  }

  @Test
  void aRecentClickKeepsTheProspect() {
    Instant now = Instant.now();
    Instant longAgo = now.atZone(ZoneOffset.UTC).minus(Period.ofYears(3)).minusDays(2).toInstant();
    String clicked = contactAt(longAgo);
    String silent = contactAt(longAgo);
    ClockUtil.setCurrentTime(Date.from(now.minus(Duration.ofDays(10))));
    activity.touch(clicked);
    ClockUtil.reset();

    retention.run();

    assertThat(registry.find(clicked)).isPresent();
    assertThat(registry.find(silent)).isEmpty();
  }
}
