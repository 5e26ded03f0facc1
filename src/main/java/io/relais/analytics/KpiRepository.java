package io.relais.analytics;

import io.relais.analytics.KpiFilter.GroupBy;
import io.relais.platform.Databases;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The KPI queries. Every sum comes from the summary ({@link KpiDailySummary}): the monthly tables
 * for the whole months of the period (unless grouped by day or week), the daily ones for the other
 * whole days (summed over journeys and steps when the query has neither), and the raw {@code engagement_event} rows for the hours before the first and after
 * the last whole day; the sums are the same as one aggregate over the raw events ({@link #queryRaw}).
 * The response-time percentiles come from the delay histograms ({@link DelayHistogram}, within
 * {@link DelayHistogram#RELATIVE_ERROR}), merged over the same parts of the period; they are exact,
 * from the raw events that carry a delay (a partial index on PostgreSQL), when the period has no
 * whole day or the histograms hold at most {@link #EXACT_PERCENTILES_UP_TO} delays.
 */
@Repository
public class KpiRepository {

  private static final String PERCENTILES = """
      percentile_cont(0.5) within group (order by e.delay_ms) filter (where e.event_type = 'REPLIED'),
      percentile_cont(0.9) within group (order by e.delay_ms) filter (where e.event_type = 'REPLIED'),
      percentile_cont(0.5) within group (order by e.delay_ms) filter (where e.event_type = 'AGENT_RESPONDED'),
      percentile_cont(0.9) within group (order by e.delay_ms) filter (where e.event_type = 'AGENT_RESPONDED')
      """;
  private static final int COUNTS = KpiDailySummary.COUNTS.size();

  /** Up to this many delays in a query's scope, its percentiles are exact, from the raw events. */
  static final long EXACT_PERCENTILES_UP_TO = 2_000;

  private final JdbcTemplate jdbc;
  private final boolean h2;
  private final long exactPercentilesUpTo;

  @Autowired
  public KpiRepository(JdbcTemplate jdbc) {
    this(jdbc, EXACT_PERCENTILES_UP_TO);
  }

  /** {@code exactPercentilesUpTo} 0 (tests): percentiles from the histograms whenever the period has a whole day. */
  KpiRepository(JdbcTemplate jdbc, long exactPercentilesUpTo) {
    this.exactPercentilesUpTo = exactPercentilesUpTo;
    this.jdbc = jdbc;
    this.h2 = !Databases.isPostgres(jdbc);
  }

  /** The whole filter as one row. */
  public KpiRow total(KpiFilter filter) {
    return query(filter.groupedBy(null)).get(0);
  }

  /** One row per group of {@code filter.groupBy()}, or a single total row if it is null. */
  public List<KpiRow> query(KpiFilter filter) {
    return query(filter, true, true);
  }

  /** The reference computation, over the raw events only (tests and the benchmark compare with it). */
  List<KpiRow> queryRaw(KpiFilter filter) {
    return query(filter, false, true);
  }

  /** Without the response-time percentiles (the benchmark's breakdown of where the time goes). */
  List<KpiRow> querySums(KpiFilter filter) {
    return query(filter, true, false);
  }

  /** The sums of one group, then its percentiles. */
  private static final class Group {
    final List<Object> key;
    final long[] counts = new long[COUNTS];
    BigDecimal revenue = BigDecimal.ZERO;
    BigDecimal cost = BigDecimal.ZERO;
    Double[] percentiles = new Double[4];
    final DelayHistogram replies = new DelayHistogram();
    final DelayHistogram agents = new DelayHistogram();

    Group(List<Object> key) {
      this.key = key;
    }

    void percentilesFromHistograms() {
      percentiles = new Double[] {replies.percentile(0.5), replies.percentile(0.9), agents.percentile(0.5), agents.percentile(0.9)};
    }
  }

  private List<KpiRow> query(KpiFilter filter, boolean useSummary, boolean withPercentiles) {
    GroupBy g = filter.groupBy();
    Map<List<Object>, Group> groups = new LinkedHashMap<>();
    Timestamp from = filter.from() == null ? null : Timestamp.from(filter.from());
    Timestamp to = filter.to() == null ? null : Timestamp.from(filter.to());
    // Whole days [firstDay, endDay) from the summary, the rest of the period from the raw events.
    LocalDate firstDay = from == null ? null : ceilDay(from.toLocalDateTime());
    LocalDate endDay = to == null ? null : to.toLocalDateTime().toLocalDate();
    boolean summary = useSummary && (firstDay == null || endDay == null || firstDay.isBefore(endDay));
    if (summary) {
      List<Span> spans = spans(firstDay, endDay, g != GroupBy.DAY && g != GroupBy.WEEK);
      for (Span span : spans) {
        summarySums(filter, span, groups);
      }
      List<Timestamp[]> edges = new ArrayList<>();
      if (firstDay != null && from.before(Timestamp.valueOf(firstDay.atStartOfDay()))) {
        edges.add(new Timestamp[] {from, Timestamp.valueOf(firstDay.atStartOfDay())});
      }
      if (endDay != null && to.after(Timestamp.valueOf(endDay.atStartOfDay()))) {
        edges.add(new Timestamp[] {Timestamp.valueOf(endDay.atStartOfDay()), to});
      }
      for (Timestamp[] edge : edges) {
        rawSums(filter, edge[0], edge[1], groups);
      }
      if (withPercentiles) {
        // Percentiles from the delay histograms (within DelayHistogram.RELATIVE_ERROR), edges included.
        for (Span span : spans) {
          summaryHistograms(filter, span, groups);
        }
        for (Timestamp[] edge : edges) {
          rawHistograms(filter, edge[0], edge[1], groups);
        }
        long delays = groups.values().stream().mapToLong(group -> group.replies.count() + group.agents.count()).sum();
        // With a segment, the raw events are joined to their segments: cheap for a short period only.
        boolean segment = filter.segment() != null || g == GroupBy.SEGMENT;
        if (delays <= exactPercentilesUpTo && (!segment || isShort(from, to))) {
          percentiles(filter, from, to, groups); // few: exact, from the raw events (cheap)
        } else {
          groups.values().forEach(Group::percentilesFromHistograms);
        }
      }
    } else {
      rawSums(filter, from, to, groups);
      if (withPercentiles) {
        percentiles(filter, from, to, groups); // less than a whole day: exact, from the raw events
      }
    }
    List<Group> sorted = new ArrayList<>(groups.values());
    sorted.sort(KEY_ORDER);
    if (g == null && sorted.isEmpty()) {
      sorted.add(new Group(List.of()));
    }
    return sorted.stream().map(group -> row(g, group)).toList();
  }

  /** Whole days [from, to) (null: open) of one summary grain: per month, or per day. */
  record Span(boolean monthly, LocalDate from, LocalDate to) {}

  /**
   * The whole days [firstDay, endDay) cut into spans: the whole months in them from the monthly
   * tables (when the grouping allows: not by day or week), the days before and after from the daily ones.
   */
  static List<Span> spans(LocalDate firstDay, LocalDate endDay, boolean monthsAllowed) {
    LocalDate m1 = firstDay == null ? null : firstDay.getDayOfMonth() == 1 ? firstDay : firstDay.withDayOfMonth(1).plusMonths(1);
    LocalDate m2 = endDay == null ? null : endDay.withDayOfMonth(1);
    if (!monthsAllowed || (m1 != null && m2 != null && !m1.isBefore(m2))) {
      return List.of(new Span(false, firstDay, endDay));
    }
    List<Span> spans = new ArrayList<>();
    if (firstDay != null && firstDay.isBefore(m1)) {
      spans.add(new Span(false, firstDay, m1));
    }
    spans.add(new Span(true, m1, m2));
    if (endDay != null && m2.isBefore(endDay)) {
      spans.add(new Span(false, m2, endDay));
    }
    return spans;
  }

  private static LocalDate ceilDay(LocalDateTime t) {
    LocalDate day = t.toLocalDate();
    return t.equals(day.atStartOfDay()) ? day : day.plusDays(1);
  }

  /** Group keys sort like the database's {@code order by}: ascending, nulls last. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Comparator<Group> KEY_ORDER = (a, b) -> {
    for (int i = 0; i < a.key.size(); i++) {
      Comparable x = (Comparable) a.key.get(i);
      Comparable y = (Comparable) b.key.get(i);
      int c = x == null ? (y == null ? 0 : 1) : y == null ? -1 : x.compareTo(y);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  };

  private void summarySums(KpiFilter filter, Span span, Map<List<Object>, Group> groups) {
    GroupBy g = filter.groupBy();
    boolean bySegment = filter.segment() != null || g == GroupBy.SEGMENT;
    List<String> key = groupColumns(g, "d", "d.segment", "cast(d.event_day as timestamp)");
    StringBuilder sql = new StringBuilder("select ");
    key.forEach(k -> sql.append(k).append(", "));
    sql.append(String.join(", ", KpiDailySummary.MEASURES.stream().map(m -> "sum(d." + m + ")").toList()));
    // Days without a journey: the sums over journeys and steps (kpi_daily_cv), 100 times fewer rows here.
    boolean journey = set(filter.journey()) || set(filter.step()) || g == GroupBy.JOURNEY || g == GroupBy.STEP;
    String table = (span.monthly() ? "kpi_monthly" : journey ? "kpi_daily" : "kpi_daily_cv") + (bySegment ? "_segment" : "");
    sql.append(" from ").append(table).append(" d where 1 = 1 ");
    List<Object> args = new ArrayList<>();
    conditions(filter, "d", "d.segment", sql, args);
    period(span, sql, args);
    groupBy(key, sql);
    jdbc.query(sql.toString(), rs -> {
      Group group = group(groups, rs, g, true);
      addSums(group, rs, key.size());
    }, args.toArray());
  }

  private static void period(Span span, StringBuilder sql, List<Object> args) {
    if (span.from() != null) {
      sql.append("and d.event_day >= ? ");
      args.add(Date.valueOf(span.from()));
    }
    if (span.to() != null) {
      sql.append("and d.event_day < ? ");
      args.add(Date.valueOf(span.to()));
    }
  }

  /** The delay histograms of a span, from the smallest roll-up that has the filter's and grouping's dimensions. */
  private void summaryHistograms(KpiFilter filter, Span span, Map<List<Object>, Group> groups) {
    GroupBy g = filter.groupBy();
    KpiDailySummary.Rollup rollup = KpiDailySummary.Rollup.covering(
        set(filter.journey()) || set(filter.step()) || g == GroupBy.JOURNEY || g == GroupBy.STEP,
        filter.channel() != null || g == GroupBy.CHANNEL, set(filter.variant()) || g == GroupBy.VARIANT,
        filter.segment() != null || g == GroupBy.SEGMENT); // like the sums: a segment filter reads per segment
    List<String> key = groupColumns(g, "d", "d.segment", "cast(d.event_day as timestamp)");
    StringBuilder sql = new StringBuilder("select ");
    key.forEach(k -> sql.append(k).append(", "));
    sql.append("d.kind, d.bucket, sum(d.n) from kpi_delay d where d.rollup = ? and d.grain = ? ");
    List<Object> args = new ArrayList<>(List.of(rollup.code, span.monthly() ? KpiDailySummary.MONTH : KpiDailySummary.DAY));
    conditions(filter, "d", "d.segment", sql, args);
    period(span, sql, args);
    List<String> groupKey = new ArrayList<>(key);
    groupKey.addAll(List.of("d.kind", "d.bucket"));
    groupBy(groupKey, sql);
    jdbc.query(sql.toString(), rs -> {
      addToHistogram(group(groups, rs, g, true), rs, key.size());
    }, args.toArray());
  }

  /** The delays of [from, to) from the raw events, into the groups' histograms. */
  private void rawHistograms(KpiFilter filter, Timestamp from, Timestamp to, Map<List<Object>, Group> groups) {
    GroupBy g = filter.groupBy();
    List<String> key = new ArrayList<>(groupColumns(g, "e", "s.segment", "e.occurred_at"));
    int size = key.size();
    key.add(KpiDailySummary.SQL_DELAY_KIND);
    key.add(DelayHistogram.SQL_BUCKET);
    StringBuilder sql = new StringBuilder("select ");
    key.forEach(k -> sql.append(k).append(", "));
    sql.append("count(*) from engagement_event e ");
    List<Object> args = rawWhere(filter, from, to, sql);
    sql.append("and e.delay_ms is not null and e.event_type in ('REPLIED', 'AGENT_RESPONDED') ");
    groupBy(key, sql);
    jdbc.query(sql.toString(), rs -> {
      addToHistogram(group(groups, rs, g, false), rs, size);
    }, args.toArray());
  }

  private static void addToHistogram(Group group, ResultSet rs, int offset) throws SQLException {
    DelayHistogram h = "R".equals(rs.getString(offset + 1)) ? group.replies : group.agents;
    h.add(rs.getInt(offset + 2), rs.getLong(offset + 3));
  }

  /** At most {@link #SHORT} long: the raw events of it can be read one by one (edges of a period, a month). */
  private static boolean isShort(Timestamp from, Timestamp to) {
    return from != null && to != null && to.getTime() - from.getTime() <= SHORT.toMillis();
  }

  private static final java.time.Duration SHORT = java.time.Duration.ofDays(31);

  private static boolean set(String value) {
    return value != null && !value.isBlank();
  }

  private void rawSums(KpiFilter filter, Timestamp from, Timestamp to, Map<List<Object>, Group> groups) {
    raw(filter, from, to, groups, false);
  }

  private void percentiles(KpiFilter filter, Timestamp from, Timestamp to, Map<List<Object>, Group> groups) {
    raw(filter, from, to, groups, true);
  }

  /** Sums, or percentiles (read from the events with a delay only), over the raw events of [from, to). */
  private void raw(KpiFilter filter, Timestamp from, Timestamp to, Map<List<Object>, Group> groups, boolean percentiles) {
    GroupBy g = filter.groupBy();
    List<String> key = groupColumns(g, "e", "s.segment", "e.occurred_at");
    StringBuilder sql = new StringBuilder("select ");
    key.forEach(k -> sql.append(k).append(", "));
    sql.append(percentiles ? PERCENTILES : KpiDailySummary.RAW_MEASURES).append(" from engagement_event e ");
    List<Object> args = rawWhere(filter, from, to, sql);
    if (percentiles) {
      sql.append("and e.delay_ms is not null and e.event_type in ('REPLIED', 'AGENT_RESPONDED') ");
    }
    groupBy(key, sql);
    jdbc.query(sql.toString(), rs -> {
      Group group = group(groups, rs, g, false);
      if (!percentiles) {
        addSums(group, rs, key.size());
        return;
      }
      for (int i = 0; i < 4; i++) {
        group.percentiles[i] = dbl(rs, key.size() + 1 + i);
      }
    }, args.toArray());
  }

  private List<Object> rawWhere(KpiFilter filter, Timestamp from, Timestamp to, StringBuilder sql) {
    List<Object> args = new ArrayList<>();
    if (filter.segment() != null || filter.groupBy() == GroupBy.SEGMENT) {
      if (!h2 && isShort(from, to)) {
        // A short period has few events: look up each one's segments (primary key), rather than let the
        // planner hash-join the segment's index entries of all time (1.25 M for a segment of 10 M events).
        sql.append("join lateral (select s.segment from engagement_segment s where s.event_id = e.id offset 0) s on true ");
      } else {
        sql.append("join engagement_segment s on s.event_id = e.id ");
      }
    }
    sql.append("where 1 = 1 ");
    conditions(filter, "e", "s.segment", sql, args);
    if (from != null) {
      sql.append("and e.occurred_at >= ? ");
      args.add(from);
    }
    if (to != null) {
      sql.append("and e.occurred_at < ? ");
      args.add(to);
    }
    return args;
  }

  /** The group-by columns; {@code time} is the event time (raw) or the day as a timestamp (summary). */
  private List<String> groupColumns(GroupBy g, String alias, String segment, String time) {
    if (g == null) {
      return List.of();
    }
    return switch (g) {
      case JOURNEY -> List.of(alias + ".journey_key");
      case STEP -> List.of(alias + ".journey_key", alias + ".step_id");
      case CHANNEL -> List.of(alias + ".channel");
      case SEGMENT -> List.of(segment);
      case VARIANT -> List.of(alias + ".variant");
      case DAY -> List.of("date_trunc('day', " + time + ")");
      case WEEK -> List.of(h2 ? "date_trunc('iso_week', " + time + ")" : "date_trunc('week', " + time + ")");
      case MONTH -> List.of("date_trunc('month', " + time + ")");
    };
  }

  private static void conditions(KpiFilter filter, String alias, String segment, StringBuilder sql, List<Object> args) {
    condition(sql, args, alias + ".journey_key", filter.journey());
    condition(sql, args, alias + ".step_id", filter.step());
    condition(sql, args, alias + ".channel", filter.channel() == null ? null : filter.channel().name());
    condition(sql, args, alias + ".variant", filter.variant());
    condition(sql, args, segment, filter.segment());
  }

  private static void condition(StringBuilder sql, List<Object> args, String column, String value) {
    if (value != null && !value.isBlank()) {
      sql.append("and ").append(column).append(" = ? ");
      args.add(value);
    }
  }

  private static void groupBy(List<String> key, StringBuilder sql) {
    if (!key.isEmpty()) {
      sql.append("group by ").append(String.join(", ", key));
    }
  }

  /** The group of the current row; the summary stores a missing dimension as ''. */
  private static Group group(Map<List<Object>, Group> groups, ResultSet rs, GroupBy g, boolean fromSummary) throws SQLException {
    int size = g == null ? 0 : g == GroupBy.STEP ? 2 : 1;
    Object[] key = new Object[size];
    for (int i = 0; i < size; i++) {
      if (g == GroupBy.DAY || g == GroupBy.WEEK || g == GroupBy.MONTH) {
        key[i] = rs.getTimestamp(i + 1).toLocalDateTime().toLocalDate();
      } else {
        String v = rs.getString(i + 1);
        key[i] = fromSummary && "".equals(v) ? null : v;
      }
    }
    List<Object> k = Arrays.asList(key);
    return groups.computeIfAbsent(k, Group::new);
  }

  private static void addSums(Group group, ResultSet rs, int offset) throws SQLException {
    for (int i = 0; i < COUNTS; i++) {
      group.counts[i] += rs.getLong(offset + 1 + i);
    }
    group.revenue = group.revenue.add(orZero(rs.getBigDecimal(offset + COUNTS + 1)));
    group.cost = group.cost.add(orZero(rs.getBigDecimal(offset + COUNTS + 2)));
  }

  private static KpiRow row(GroupBy g, Group group) {
    List<Object> k = group.key;
    String first = k.isEmpty() || k.get(0) == null ? null : k.get(0).toString();
    long[] c = group.counts;
    Double[] p = group.percentiles;
    return new KpiRow.Counts(
        g == GroupBy.JOURNEY || g == GroupBy.STEP ? first : null,
        g == GroupBy.STEP ? (String) k.get(1) : null,
        g == GroupBy.CHANNEL ? first : null,
        g == GroupBy.SEGMENT ? first : null,
        g == GroupBy.VARIANT ? first : null,
        g == GroupBy.DAY || g == GroupBy.WEEK || g == GroupBy.MONTH ? first : null,
        c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13],
        // The columns' scales (decimal(14, 2) revenue, decimal(12, 5) cost), whichever table the sums came from.
        group.revenue.setScale(2, RoundingMode.UNNECESSARY), group.cost.setScale(5, RoundingMode.UNNECESSARY),
        p[0], p[1], p[2], p[3]).toRow();
  }

  private static BigDecimal orZero(BigDecimal b) {
    return b == null ? BigDecimal.ZERO : b;
  }

  private static Double dbl(ResultSet rs, int i) throws SQLException {
    double v = rs.getDouble(i);
    return rs.wasNull() ? null : v;
  }
}
