package io.relais.outbound;

import java.time.Duration;
import java.time.Period;
import java.util.ArrayList;
import java.util.List;

/** At most {@code max} marketing messages per contact and channel within {@code period}. */
public record FrequencyCap(int max, Duration period) {

  /** Parses {@code 1/P1D,3/P7D}; blank means no cap. */
  public static List<FrequencyCap> parse(String spec) {
    List<FrequencyCap> caps = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return caps;
    }
    for (String part : spec.split(",")) {
      String[] pieces = part.trim().split("/");
      if (pieces.length != 2) {
        throw new IllegalArgumentException("Frequency cap '" + part + "' must look like 3/P7D");
      }
      caps.add(new FrequencyCap(Integer.parseInt(pieces[0].trim()), duration(pieces[1].trim())));
    }
    return caps;
  }

  private static Duration duration(String iso) {
    try {
      return Duration.parse(iso);
    } catch (RuntimeException e) {
      Period p = Period.parse(iso); // P1W, P1M: weeks count 7 days, months 30
      return Duration.ofDays(p.getDays() + p.toTotalMonths() * 30);
    }
  }

  @Override
  public String toString() {
    return max + "/" + period;
  }
}
