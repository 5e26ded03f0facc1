package io.relais.analytics;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** KPI rows as CSV (comma-separated, one header line named after the JSON fields; empty cell = no value). */
final class KpiCsv {

  private KpiCsv() {}

  static String write(List<KpiRow> rows) {
    RecordComponent[] columns = KpiRow.class.getRecordComponents();
    StringBuilder out = new StringBuilder(Arrays.stream(columns).map(RecordComponent::getName).collect(Collectors.joining(",")));
    out.append("\r\n");
    for (KpiRow row : rows) {
      out.append(Arrays.stream(columns).map(c -> cell(value(c, row))).collect(Collectors.joining(","))).append("\r\n");
    }
    return out.toString();
  }

  private static Object value(RecordComponent c, KpiRow row) {
    try {
      return c.getAccessor().invoke(row);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String cell(Object v) {
    if (v == null) {
      return "";
    }
    String s = v.toString();
    // Quote what could break the format, and defuse spreadsheet formulas in journey or segment names.
    if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !(v instanceof Number)) {
      s = "'" + s;
    }
    return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }
}
