package io.relais.outbound;

import io.relais.contact.HolidayZone;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * When marketing may reach a recipient: allowed days, [start, end) local time, never on the
 * recipient's public holidays. A message asked for outside it is deferred to the next opening.
 */
public record SendingWindow(Set<DayOfWeek> days, LocalTime start, LocalTime end) {

  public static final SendingWindow DEFAULT = new SendingWindow(
      Set.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY, DayOfWeek.SATURDAY),
      LocalTime.of(8, 0), LocalTime.of(20, 0));

  public SendingWindow {
    if (days == null || days.isEmpty() || !start.isBefore(end)) {
      throw new IllegalArgumentException("A sending window needs at least one day and start before end, got " + days + " " + start + "-" + end);
    }
    days = Set.copyOf(days);
  }

  /** {@code requested} itself when allowed, else the next allowed instant (never earlier). */
  public Instant nextAllowed(Instant requested, ZoneId zone, HolidayZone holidays) {
    ZonedDateTime local = requested.atZone(zone);
    LocalDate date = local.toLocalDate();
    for (int d = 0; d < 400; d++) {
      LocalDate day = date.plusDays(d);
      if (!days.contains(day.getDayOfWeek()) || PublicHolidays.isHoliday(day, holidays)) {
        continue;
      }
      if (d > 0) {
        return ZonedDateTime.of(day, start, zone).toInstant();
      }
      LocalTime time = local.toLocalTime();
      if (time.isBefore(start)) {
        return ZonedDateTime.of(day, start, zone).toInstant();
      }
      if (time.isBefore(end)) {
        return requested;
      }
    }
    throw new IllegalStateException("No allowed sending day within 400 days: check relais.sending-window");
  }
}
