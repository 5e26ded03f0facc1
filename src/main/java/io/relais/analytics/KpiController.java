package io.relais.analytics;

import io.relais.analytics.KpiFilter.GroupBy;
import io.relais.contact.Channel;
import io.relais.web.InvalidInputException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/kpis}: the KPIs for a filter (journey, step, channel, segment, variant, period),
 * grouped by one dimension, as JSON with the benchmarks, or as CSV ({@code Accept: text/csv} or
 * {@code format=csv}). Dates without time are days in Europe/Paris, {@code to} inclusive.
 */
@RestController
public class KpiController {

  static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  /** The JSON answer: the rows, their total, and the benchmarks to compare with. */
  public record KpiReport(KpiFilter filter, KpiRow total, List<KpiRow> rows, Map<String, Benchmarks.Benchmark> benchmarks) {}

  private final KpiRepository kpis;

  public KpiController(KpiRepository kpis) {
    this.kpis = kpis;
  }

  @GetMapping("/api/kpis")
  public ResponseEntity<?> kpis(
      @RequestParam(required = false) String journey, @RequestParam(required = false) String step,
      @RequestParam(required = false) String channel, @RequestParam(required = false) String segment,
      @RequestParam(required = false) String variant, @RequestParam(required = false) String from,
      @RequestParam(required = false) String to, @RequestParam(required = false) String groupBy,
      @RequestParam(required = false) String format, @RequestHeader(value = HttpHeaders.ACCEPT, required = false) String accept) {
    KpiFilter filter = filter(journey, step, channel, segment, variant, from, to, groupBy);
    List<KpiRow> rows = kpis.query(filter);
    if ("csv".equalsIgnoreCase(format) || accept != null && accept.toLowerCase(Locale.ROOT).startsWith("text/csv")) {
      return ResponseEntity.ok()
          .header(HttpHeaders.CONTENT_TYPE, "text/csv;charset=UTF-8")
          .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"relais-kpis.csv\"")
          .body(KpiCsv.write(rows));
    }
    KpiRow total = filter.groupBy() == null ? rows.get(0) : kpis.total(filter);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(new KpiReport(filter, total, rows, Benchmarks.SMS));
  }

  static KpiFilter filter(String journey, String step, String channel, String segment, String variant,
      String from, String to, String groupBy) {
    return new KpiFilter(blank(journey), blank(step), choice(Channel.class, "channel", channel, "SMS, EMAIL, WHATSAPP, RCS"), blank(segment), blank(variant),
        instant("from", from, false), instant("to", to, true),
        choice(GroupBy.class, "groupBy", groupBy, "journey, step, channel, segment, variant, day, week, month"));
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  /** An enum constant, case-insensitive, or a 400 naming the field. */
  static <E extends Enum<E>> E choice(Class<E> type, String field, String value, String allowed) {
    if (blank(value) == null) {
      return null;
    }
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field, field + " must be one of " + allowed);
    }
  }

  /** A day (Europe/Paris; {@code to} includes the whole day) or an ISO instant. */
  private static Instant instant(String field, String value, boolean endOfDay) {
    if (blank(value) == null) {
      return null;
    }
    try {
      if (value.length() == 10) {
        LocalDate day = LocalDate.parse(value);
        return (endOfDay ? day.plusDays(1) : day).atStartOfDay(PARIS).toInstant();
      }
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(field, field + " must be a date (2025-03-01) or an instant (2025-03-01T00:00:00Z)");
    }
  }
}
