package io.relais.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Agents' hours (French public holidays from the outbound calendar), without the engine. */
class AgentHoursTest {

  static final ZoneId PARIS = ZoneId.of("Europe/Paris");
  final AgentHours hours = new AgentHours(new HandoffProperties.Hours(
      EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(9, 0), LocalTime.of(18, 0), PARIS, true));

  static Instant paris(int y, int m, int d, int h, int min) {
    return ZonedDateTime.of(y, m, d, h, min, 0, 0, PARIS).toInstant();
  }

  @Test
  void openOnWeekdaysFromNineToSixParisTime() {
    assertThat(hours.isOpen(paris(2026, 12, 2, 9, 0))).isTrue();
    assertThat(hours.isOpen(paris(2026, 12, 2, 17, 59))).isTrue();
    assertThat(hours.isOpen(paris(2026, 12, 2, 18, 0))).isFalse();
    assertThat(hours.isOpen(paris(2026, 12, 2, 8, 59))).isFalse();
    assertThat(hours.isOpen(paris(2026, 11, 28, 11, 0))).isFalse(); // Saturday
  }

  @Test
  void nextOpeningSkipsEveningsWeekendsAndPublicHolidays() {
    assertThat(hours.nextOpening(paris(2026, 12, 2, 7, 30))).isEqualTo(paris(2026, 12, 2, 9, 0));
    assertThat(hours.nextOpening(paris(2026, 12, 2, 19, 0))).isEqualTo(paris(2026, 12, 3, 9, 0));
    assertThat(hours.nextOpening(paris(2026, 11, 27, 18, 30))).isEqualTo(paris(2026, 11, 30, 9, 0));
    // Thursday 24 Dec evening: Christmas Friday is a holiday, so Monday 28.
    assertThat(hours.nextOpening(paris(2026, 12, 24, 18, 0))).isEqualTo(paris(2026, 12, 28, 9, 0));
    // Easter Monday 2026-04-06 and Ascension 2026-05-14 are closed.
    assertThat(hours.nextOpening(paris(2026, 4, 3, 18, 0))).isEqualTo(paris(2026, 4, 7, 9, 0));
    assertThat(hours.nextOpening(paris(2026, 5, 13, 18, 0))).isEqualTo(paris(2026, 5, 15, 9, 0));
  }

  @Test
  void phoneIsMaskedAndNamesShortened() {
    assertThat(HandoffView.maskPhone("+33612345678")).isEqualTo("+33 6 •• •• •• 78");
    assertThat(HandoffView.maskPhone("+262692123456")).isEqualTo("+26 •••••••• 56");
    assertThat(HandoffView.escape("<b>*promo*</b>")).isEqualTo("\\<b\\>\\*promo\\*\\</b\\>");
  }
}
