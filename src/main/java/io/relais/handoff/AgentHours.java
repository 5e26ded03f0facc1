package io.relais.handoff;

import io.relais.contact.HolidayZone;
import io.relais.outbound.PublicHolidays;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;

/** When agents are at their desks, and when they next will be: the basis of every handoff promise. */
public final class AgentHours {

  private final HandoffProperties.Hours hours;

  public AgentHours(HandoffProperties.Hours hours) {
    this.hours = hours;
  }

  public boolean isOpen(Instant at) {
    ZonedDateTime local = at.atZone(hours.zone());
    return isWorkingDay(local.toLocalDate())
        && !local.toLocalTime().isBefore(hours.opens())
        && local.toLocalTime().isBefore(hours.closes());
  }

  /** {@code at} itself when open, else the next opening instant. */
  public Instant nextOpening(Instant at) {
    if (isOpen(at)) {
      return at;
    }
    ZonedDateTime local = at.atZone(hours.zone());
    LocalDate day = local.toLocalDate();
    if (!local.toLocalTime().isBefore(hours.opens())) {
      day = day.plusDays(1);
    }
    for (int i = 0; i < 400; i++, day = day.plusDays(1)) {
      if (isWorkingDay(day)) {
        return day.atTime(hours.opens()).atZone(hours.zone()).toInstant();
      }
    }
    throw new IllegalStateException("relais.handoff.hours has no working day: agents never open");
  }

  private boolean isWorkingDay(LocalDate day) {
    return hours.days().contains(day.getDayOfWeek())
        && !(hours.holidays() && PublicHolidays.isHoliday(day, HolidayZone.METROPOLE));
  }
}
