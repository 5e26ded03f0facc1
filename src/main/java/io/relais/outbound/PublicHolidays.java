package io.relais.outbound;

import io.relais.contact.HolidayZone;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.Set;

/**
 * French public holidays per holiday zone (Code du travail L3133-1, and L3134-13 for
 * Alsace-Moselle), with the movable feasts computed from Easter (domain-rules §1.3).
 */
public final class PublicHolidays {

  private static final Set<MonthDay> FIXED = Set.of(
      MonthDay.of(1, 1), MonthDay.of(5, 1), MonthDay.of(5, 8), MonthDay.of(7, 14),
      MonthDay.of(8, 15), MonthDay.of(11, 1), MonthDay.of(11, 11), MonthDay.of(12, 25));

  private PublicHolidays() {}

  public static boolean isHoliday(LocalDate date, HolidayZone zone) {
    if (FIXED.contains(MonthDay.from(date))) {
      return true;
    }
    LocalDate easter = easterSunday(date.getYear());
    if (date.equals(easter.plusDays(1)) || date.equals(easter.plusDays(39)) || date.equals(easter.plusDays(50))) {
      return true;
    }
    if (zone == HolidayZone.ALSACE_MOSELLE) {
      // Vendredi saint is commune-dependent in law; we block it across 57/67/68 on purpose.
      return date.equals(easter.minusDays(2)) || MonthDay.from(date).equals(MonthDay.of(12, 26));
    }
    return false;
  }

  /** Gregorian computus (anonymous algorithm). */
  public static LocalDate easterSunday(int year) {
    int a = year % 19;
    int b = year / 100;
    int c = year % 100;
    int d = b / 4;
    int e = b % 4;
    int f = (b + 8) / 25;
    int g = (b - f + 1) / 3;
    int h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4;
    int k = c % 4;
    int l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31;
    int day = ((h + l - 7 * m + 114) % 31) + 1;
    return LocalDate.of(year, month, day);
  }
}
