package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.HolidayZone;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Quiet hours with every scheduler vector of domain-rules §1.3, DST and Alsace-Moselle included. */
class SendingWindowTest {

  static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "2026-07-10T19:59, METROPOLE, 2026-07-10T19:59",
      "2026-07-10T20:00, METROPOLE, 2026-07-11T08:00",
      "2026-07-11T07:59, METROPOLE, 2026-07-11T08:00",
      "2026-07-11T20:30, METROPOLE, 2026-07-13T08:00",
      "2026-07-13T21:00, METROPOLE, 2026-07-15T08:00",
      "2026-05-07T21:00, METROPOLE, 2026-05-09T08:00",
      "2026-05-13T20:00, METROPOLE, 2026-05-15T08:00",
      "2026-05-23T20:00, METROPOLE, 2026-05-26T08:00",
      "2026-04-02T20:00, METROPOLE, 2026-04-03T08:00",
      "2026-04-02T20:00, ALSACE_MOSELLE, 2026-04-04T08:00",
      "2026-04-04T20:00, METROPOLE, 2026-04-07T08:00",
      "2026-12-24T20:00, METROPOLE, 2026-12-26T08:00",
      "2026-12-24T20:00, ALSACE_MOSELLE, 2026-12-28T08:00",
      "2026-08-15T10:00, METROPOLE, 2026-08-17T08:00",
      "2027-03-27T20:00, METROPOLE, 2027-03-30T08:00",
      "2027-12-31T20:00, METROPOLE, 2028-01-03T08:00"
  })
  void defersMarketingToTheNextAllowedLocalInstant(LocalDateTime requested, HolidayZone zone, LocalDateTime expected) {
    Instant at = requested.atZone(PARIS).toInstant();
    assertThat(SendingWindow.DEFAULT.nextAllowed(at, PARIS, zone)).isEqualTo(expected.atZone(PARIS).toInstant());
  }

  @Test
  void crossesTheSpringDstChangeOnTheRightUtcInstant() {
    Instant saturdayEvening = Instant.parse("2026-03-28T19:00:00Z"); // 20:00 CET
    assertThat(SendingWindow.DEFAULT.nextAllowed(saturdayEvening, PARIS, HolidayZone.METROPOLE))
        .isEqualTo(Instant.parse("2026-03-30T06:00:00Z")); // 08:00 CEST
  }

  @Test
  void evaluatesTheWindowInTheRecipientsTimeZone() {
    ZoneId reunion = ZoneId.of("Indian/Reunion"); // UTC+4
    Instant parisMorning = ZonedDateTime.of(2026, 7, 10, 7, 0, 0, 0, PARIS).toInstant(); // 09:00 in Réunion
    assertThat(SendingWindow.DEFAULT.nextAllowed(parisMorning, reunion, HolidayZone.METROPOLE)).isEqualTo(parisMorning);
    Instant parisEvening = ZonedDateTime.of(2026, 7, 10, 18, 30, 0, 0, PARIS).toInstant(); // 20:30 in Réunion
    assertThat(SendingWindow.DEFAULT.nextAllowed(parisEvening, reunion, HolidayZone.METROPOLE))
        .isEqualTo(ZonedDateTime.of(2026, 7, 11, 8, 0, 0, 0, reunion).toInstant());
  }

  static Stream<Arguments> holidays() {
    return Stream.of(
        Arguments.of(2026, List.of("01-01", "04-06", "05-01", "05-08", "05-14", "05-25", "07-14", "08-15", "11-01", "11-11", "12-25"), List.of("04-03", "12-26")),
        Arguments.of(2027, List.of("01-01", "03-29", "05-01", "05-08", "05-06", "05-17", "07-14", "08-15", "11-01", "11-11", "12-25"), List.of("03-26", "12-26")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("holidays")
  void knowsTheElevenHolidaysAndTheTwoAlsaceMoselleOnes(int year, List<String> metro, List<String> alsaceOnly) {
    for (String d : metro) {
      LocalDate date = LocalDate.parse(year + "-" + d);
      assertThat(PublicHolidays.isHoliday(date, HolidayZone.METROPOLE)).as(date.toString()).isTrue();
      assertThat(PublicHolidays.isHoliday(date, HolidayZone.ALSACE_MOSELLE)).as(date.toString()).isTrue();
    }
    for (String d : alsaceOnly) {
      LocalDate date = LocalDate.parse(year + "-" + d);
      assertThat(PublicHolidays.isHoliday(date, HolidayZone.METROPOLE)).as(date.toString()).isFalse();
      assertThat(PublicHolidays.isHoliday(date, HolidayZone.ALSACE_MOSELLE)).as(date.toString()).isTrue();
    }
    long count = LocalDate.of(year, 1, 1).datesUntil(LocalDate.of(year + 1, 1, 1))
        .filter(d -> PublicHolidays.isHoliday(d, HolidayZone.METROPOLE)).count();
    assertThat(count).isEqualTo(11);
  }

  @Test
  void computesEasterAndItsMovableFeasts() {
    assertThat(PublicHolidays.easterSunday(2025)).isEqualTo(LocalDate.of(2025, 4, 20));
    assertThat(PublicHolidays.easterSunday(2026)).isEqualTo(LocalDate.of(2026, 4, 5));
    assertThat(PublicHolidays.easterSunday(2027)).isEqualTo(LocalDate.of(2027, 3, 28));
    assertThat(PublicHolidays.easterSunday(2028)).isEqualTo(LocalDate.of(2028, 4, 16));
    assertThat(PublicHolidays.isHoliday(LocalDate.of(2025, 5, 29), HolidayZone.METROPOLE)).isTrue();
    assertThat(PublicHolidays.isHoliday(LocalDate.of(2025, 6, 9), HolidayZone.METROPOLE)).isTrue();
    assertThat(PublicHolidays.isHoliday(LocalDate.of(2028, 5, 25), HolidayZone.METROPOLE)).isTrue();
    assertThat(PublicHolidays.isHoliday(LocalDate.of(2028, 6, 5), HolidayZone.METROPOLE)).isTrue();
  }
}
