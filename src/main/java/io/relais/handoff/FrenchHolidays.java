package io.relais.handoff;

import io.relais.contact.HolidayZone;
import java.time.LocalDate;
import java.time.MonthDay;
import java.util.Set;

/**
 * French public holidays (Code du travail L3133-1, plus Good Friday and 26 December in
 * Alsace-Moselle, L3134-13). Written here because no shared holiday calendar exists yet on main.
 */
public final class FrenchHolidays {

  private static final Set<MonthDay> FIXED =
      Set.of(
          MonthDay.of(1, 1), MonthDay.of(5, 1), MonthDay.of(5, 8), MonthDay.of(7, 14),
          MonthDay.of(8, 15), MonthDay.of(11, 1), MonthDay.of(11, 11), MonthDay.of(12, 25));

  private FrenchHolidays() {}

  public static boolean isHoliday(LocalDate day, HolidayZone zone) {
    if (FIXED.contains(MonthDay.from(day))) {
      return true;
    }
    LocalDate easter = easterSunday(day.getYear());
    if (day.equals(easter.plusDays(1)) || day.equals(easter.plusDays(39)) || day.equals(easter.plusDays(50))) {
      return true;
    }
    return zone == HolidayZone.ALSACE_MOSELLE
        && (day.equals(easter.minusDays(2)) || MonthDay.from(day).equals(MonthDay.of(12, 26)));
  }

  /** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
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
