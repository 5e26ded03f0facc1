package io.relais.analytics;

import io.relais.platform.Databases;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The daily summary of the engagement events ({@code kpi_daily}, and per segment
 * {@code kpi_daily_segment}): one row per day × journey × step × channel × variant holding the
 * sums every KPI but the response-time percentiles needs. {@link EngagementEvents} adds each event
 * in the transaction that inserts it (an upsert that adds, {@code insert … on conflict do update}
 * on PostgreSQL), so the summary is exactly the sum of the committed events: no watermark, no
 * window in which a second node could count an event twice or miss it.
 *
 * <p>The same per month ({@code kpi_monthly}, {@code kpi_monthly_segment}), and the delay histograms
 * of the response-time percentiles per day and per month in several roll-ups ({@code kpi_delay},
 * {@link Rollup}), are maintained the same way, in the same transaction.
 *
 * <p>The day is the event time's date in the server's time zone (the one {@code occurred_at} is
 * stored in); a missing journey, step, channel or variant is stored as {@code ''}.
 */
@Component
public class KpiDailySummary {

  /** The summary's count columns, in the order of {@link KpiRow.Counts} (then revenue and cost). */
  static final List<String> COUNTS = List.of("sent", "delivered", "failed", "openers", "clickers", "orders", "opt_outs",
      "repliers", "repliers_who_ordered", "handoffs", "nps_responses", "promoters", "detractors", "held_out");
  static final List<String> MONEY = List.of("revenue", "cost");
  static final List<String> MEASURES = concat(COUNTS, MONEY);
  static final List<String> DIMENSIONS = List.of("event_day", "journey_key", "step_id", "channel", "variant");
  /** The keys of kpi_daily_cv (all journeys and steps of a day, per channel and variant). */
  static final List<String> CV_DIMENSIONS = List.of("event_day", "channel", "variant");
  static final List<String> DELAY_KEY =
      List.of("rollup", "grain", "event_day", "journey_key", "step_id", "channel", "variant", "segment", "kind", "bucket");
  /** The grains of the delay histograms: per day, per month (event_day the month's first day). */
  static final String DAY = "D";
  static final String MONTH = "M";

  /**
   * The delay histograms' roll-ups: which dimensions a {@code kpi_delay} row keeps (the others are
   * {@code ''}). A query reads the first one (in this order, smallest first) that keeps every
   * dimension it filters or groups by. Only the events with a delay (replies, agents' first
   * responses) write them: 12 + 6 × segments histogram rows for such an event (6 roll-ups without segment and 3 with, 2 grains).
   */
  enum Rollup {
    NONE(0, false, false, false, false),
    CHANNEL(1, false, true, false, false),
    VARIANT(2, false, false, true, false),
    SEGMENT(3, false, false, false, true),
    JOURNEY_STEP(4, true, false, false, false),
    CHANNEL_VARIANT(7, false, true, true, false),
    CHANNEL_VARIANT_SEGMENT(8, false, true, true, true),
    ALL(5, true, true, true, false),
    ALL_SEGMENT(6, true, true, true, true);

    /** Stored in {@code kpi_delay.rollup}: never reuse one. */
    final short code;
    final boolean journeyStep;
    final boolean channel;
    final boolean variant;
    final boolean segment;

    Rollup(int code, boolean journeyStep, boolean channel, boolean variant, boolean segment) {
      this.code = (short) code;
      this.journeyStep = journeyStep;
      this.channel = channel;
      this.variant = variant;
      this.segment = segment;
    }

    /** The smallest roll-up that keeps these dimensions. */
    static Rollup covering(boolean journeyStep, boolean channel, boolean variant, boolean segment) {
      for (Rollup r : values()) {
        if ((r.journeyStep || !journeyStep) && (r.channel || !channel) && (r.variant || !variant) && (r.segment || !segment)) {
          return r;
        }
      }
      throw new IllegalStateException();
    }
  }

  /**
   * The same measures as SQL aggregates over raw events (alias {@code e}): the reference the
   * summary must equal, and what the KPI query uses for the parts of a period that are not whole days.
   */
  static final String RAW_MEASURES = """
      sum(case when e.event_type = 'SENT' then 1 else 0 end),
      sum(case when e.event_type = 'DELIVERED' then 1 else 0 end),
      sum(case when e.event_type = 'FAILED' then 1 else 0 end),
      sum(case when e.event_type = 'OPENED' and e.first_key is not null then 1 else 0 end),
      sum(case when e.event_type = 'CLICKED' and e.first_key is not null then 1 else 0 end),
      sum(case when e.event_type = 'ORDERED' and e.first_key is not null then 1 else 0 end),
      sum(case when e.event_type = 'OPTED_OUT' and e.first_key is not null then 1 else 0 end),
      sum(case when e.event_type = 'REPLIED' and e.first_key is not null then 1 else 0 end),
      sum(case when e.event_type = 'ORDERED' and e.first_key is not null and e.after_reply = true then 1 else 0 end),
      sum(case when e.event_type = 'HANDED_OFF' then 1 else 0 end),
      sum(case when e.event_type = 'NPS_SCORE' then 1 else 0 end),
      sum(case when e.event_type = 'NPS_SCORE' and e.score >= 9 then 1 else 0 end),
      sum(case when e.event_type = 'NPS_SCORE' and e.score <= 6 then 1 else 0 end),
      sum(case when e.event_type = 'HELD_OUT' then 1 else 0 end),
      coalesce(sum(case when e.event_type = 'ORDERED' then e.revenue end), 0),
      coalesce(sum(case when e.event_type = 'SENT' then e.cost end), 0)
      """;

  private final JdbcTemplate jdbc;
  private final boolean postgres;

  public KpiDailySummary(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.postgres = Databases.isPostgres(jdbc);
  }

  /** Whether the database is PostgreSQL (else H2). */
  boolean postgres() {
    return postgres;
  }

  /** The summary's day of an event time: its date in the time zone timestamps are stored in. */
  static LocalDate day(Instant at) {
    return Timestamp.from(at).toLocalDateTime().toLocalDate();
  }

  /** A batch of events to add together: see {@link Batch}. */
  Batch batch() {
    return new Batch();
  }

  /**
   * What several recorded events add to the summary, summed per row in memory and written by
   * {@link #flush} in the transaction that inserted the events: one upsert per table, whatever the
   * number of events (a page of the projector: hundreds of events on a few rows). Rows are locked in
   * one fixed order (table by table, then by key), the same for every batch, so that two concurrent
   * recorders cannot deadlock on them.
   */
  final class Batch {

    /** Per table, in the order tables are written: the key's values → the measures to add. */
    private final Map<Table, Map<List<Object>, Object[]>> rows = new LinkedHashMap<>();

    private Batch() {
      for (Table table : Table.values()) {
        rows.put(table, new HashMap<>());
      }
    }

    /** Adds an event's measures to the rows of its day, channel × variant, month (and segments) and delay histograms. */
    void add(EngagementEvent e, Instant at, List<String> segments, String firstKey) {
      Object[] measures = measures(e, firstKey);
      LocalDate day = day(at);
      String channel = e.channel() == null ? "" : e.channel().name();
      for (Table[] tables : new Table[][] {{Table.DAILY, Table.DAILY_SEGMENT}, {Table.DAILY_CV, Table.DAILY_CV_SEGMENT},
          {Table.MONTHLY, Table.MONTHLY_SEGMENT}}) {
        LocalDate period = tables[0] == Table.MONTHLY ? day.withDayOfMonth(1) : day;
        List<Object> key = tables[0] == Table.DAILY_CV ? List.of(Date.valueOf(period), channel, dim(e.variant()))
            : List.of(Date.valueOf(period), dim(e.journeyKey()), dim(e.stepId()), channel, dim(e.variant()));
        sum(tables[0], key, measures);
        for (String segment : segments) {
          sum(tables[1], withSegment(key, segment), measures);
        }
      }
      String kind = delayKind(e);
      if (kind == null) {
        return;
      }
      Short bucket = (short) DelayHistogram.bucket(e.delayMs());
      for (Rollup rollup : Rollup.values()) {
        for (String grain : List.of(DAY, MONTH)) {
          LocalDate period = grain.equals(DAY) ? day : day.withDayOfMonth(1);
          for (String segment : rollup.segment ? segments : List.of("")) {
            sum(Table.DELAY, List.of(rollup.code, grain, Date.valueOf(period),
                rollup.journeyStep ? dim(e.journeyKey()) : "", rollup.journeyStep ? dim(e.stepId()) : "",
                rollup.channel && e.channel() != null ? e.channel().name() : "", rollup.variant ? dim(e.variant()) : "",
                segment, kind, bucket), ONE);
          }
        }
      }
    }

    private void sum(Table table, List<Object> key, Object[] measures) {
      rows.get(table).merge(key, measures.clone(), Batch::plus);
    }

    private static Object[] plus(Object[] a, Object[] b) {
      Object[] out = new Object[a.length];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i] instanceof BigDecimal x ? x.add((BigDecimal) b[i]) : (Long) a[i] + (Long) b[i];
      }
      return out;
    }

    /** Writes the sums: one upsert per table that has rows, keys in {@link #KEY_ORDER}. */
    void flush() {
      rows.forEach((table, sums) -> {
        List<Map.Entry<List<Object>, Object[]>> sorted = new ArrayList<>(sums.entrySet());
        sorted.sort(Map.Entry.comparingByKey(KEY_ORDER));
        upsert(table, sorted);
      });
      rows.values().forEach(Map::clear);
    }
  }

  /** The summary tables, in the order a batch writes them: name, key columns, measure columns. */
  private enum Table {
    DAILY("kpi_daily", DIMENSIONS, MEASURES),
    DAILY_SEGMENT("kpi_daily_segment", concat(DIMENSIONS, List.of("segment")), MEASURES),
    DAILY_CV("kpi_daily_cv", CV_DIMENSIONS, MEASURES),
    DAILY_CV_SEGMENT("kpi_daily_cv_segment", concat(CV_DIMENSIONS, List.of("segment")), MEASURES),
    MONTHLY("kpi_monthly", DIMENSIONS, MEASURES),
    MONTHLY_SEGMENT("kpi_monthly_segment", concat(DIMENSIONS, List.of("segment")), MEASURES),
    DELAY("kpi_delay", DELAY_KEY, List.of("n"));

    final String name;
    final List<String> dims;
    final List<String> columns;

    Table(String name, List<String> dims, List<String> columns) {
      this.name = name;
      this.dims = dims;
      this.columns = columns;
    }
  }

  private static final Object[] ONE = {1L};

  /** A total order of keys of one table (dates, texts and roll-up codes, position by position). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static final Comparator<List<Object>> KEY_ORDER = (a, b) -> {
    for (int i = 0; i < a.size(); i++) {
      int c = ((Comparable) a.get(i)).compareTo(b.get(i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  };

  /** {@link #delayKind} in SQL, over a delayed REPLIED or AGENT_RESPONDED event {@code e}. */
  static final String SQL_DELAY_KIND = "case when e.event_type = 'REPLIED' then 'R' else 'A' end";

  /** The histogram an event's delay goes to: 'R' (customer reply), 'A' (agent first response), or none. */
  static String delayKind(EngagementEvent e) {
    if (e.delayMs() == null) {
      return null;
    }
    return e.type() == EngagementType.REPLIED ? "R" : e.type() == EngagementType.AGENT_RESPONDED ? "A" : null;
  }

  /**
   * What one event adds to each measure (maybe nothing, as for a second click: the row is still
   * written, so that a group exists in the summary exactly when it has raw events).
   */
  static Object[] measures(EngagementEvent e, String firstKey) {
    boolean first = firstKey != null;
    Integer score = e.type() == EngagementType.NPS_SCORE ? e.score() : null;
    long[] c = {
        is(e, EngagementType.SENT), is(e, EngagementType.DELIVERED), is(e, EngagementType.FAILED),
        first ? is(e, EngagementType.OPENED) : 0, first ? is(e, EngagementType.CLICKED) : 0,
        first ? is(e, EngagementType.ORDERED) : 0, first ? is(e, EngagementType.OPTED_OUT) : 0,
        first ? is(e, EngagementType.REPLIED) : 0,
        first && Boolean.TRUE.equals(e.afterReply()) ? is(e, EngagementType.ORDERED) : 0,
        is(e, EngagementType.HANDED_OFF), is(e, EngagementType.NPS_SCORE),
        score != null && score >= 9 ? 1 : 0, score != null && score <= 6 ? 1 : 0, is(e, EngagementType.HELD_OUT)};
    BigDecimal revenue = e.type() == EngagementType.ORDERED && e.revenue() != null ? e.revenue() : BigDecimal.ZERO;
    BigDecimal cost = e.type() == EngagementType.SENT && e.cost() != null ? e.cost() : BigDecimal.ZERO;
    Object[] out = new Object[c.length + 2];
    for (int i = 0; i < c.length; i++) {
      out[i] = c[i];
    }
    out[c.length] = revenue;
    out[c.length + 1] = cost;
    return out;
  }

  /**
   * Adds each row's measures to the row of its key, inserting the rows that do not exist yet, in
   * the given order: on PostgreSQL one {@code insert … on conflict do update} for all of them (one
   * round trip), on H2 update-else-insert row by row.
   */
  private void upsert(Table summary, List<Map.Entry<List<Object>, Object[]>> sums) {
    if (sums.isEmpty()) {
      return;
    }
    String table = summary.name;
    List<String> dims = summary.dims;
    List<String> columns = summary.columns;
    String insert = "insert into " + table + " (" + String.join(", ", dims) + ", " + String.join(", ", columns) + ") values ";
    String row = "(" + placeholders(dims.size() + columns.size()) + ")";
    if (postgres) {
      List<Object> args = new ArrayList<>();
      sums.forEach(sum -> {
        args.addAll(sum.getKey());
        args.addAll(Arrays.asList(sum.getValue()));
      });
      jdbc.update(insert + String.join(", ", java.util.Collections.nCopies(sums.size(), row)) + " on conflict ("
          + String.join(", ", dims) + ") do update set "
          + columns.stream().map(m -> m + " = " + table + "." + m + " + excluded." + m).collect(Collectors.joining(", ")),
          args.toArray());
      return;
    }
    // H2: update, else insert; a concurrent first insert makes ours a duplicate, then the update applies.
    String update = "update " + table + " set " + columns.stream().map(m -> m + " = " + m + " + ?").collect(Collectors.joining(", "))
        + " where " + dims.stream().map(d -> d + " = ?").collect(Collectors.joining(" and "));
    for (Map.Entry<List<Object>, Object[]> sum : sums) {
      Object[] key = sum.getKey().toArray();
      Object[] updateArgs = concat(sum.getValue(), key);
      if (jdbc.update(update, updateArgs) == 0) {
        try {
          jdbc.update(insert + row, concat(key, sum.getValue()));
        } catch (DuplicateKeyException raced) {
          jdbc.update(update, updateArgs);
        }
      }
    }
  }

  /**
   * Rebuilds the whole summary from the raw events (bulk loads, repairs). Not for a live system:
   * events recorded while it runs may be counted twice or not at all.
   */
  public void rebuild() {
    rebuildDaily();
    rebuildRollups();
  }

  /** The daily tables from the raw events (and V612, which runs before the other tables exist). */
  public void rebuildDaily() {
    jdbc.update("delete from kpi_daily_segment");
    jdbc.update("delete from kpi_daily");
    String dims = "cast(e.occurred_at as date), coalesce(e.journey_key, ''), coalesce(e.step_id, ''), coalesce(e.channel, ''), "
        + "coalesce(e.variant, '')";
    jdbc.update("insert into kpi_daily select " + dims + ", " + RAW_MEASURES + " from engagement_event e group by " + dims);
    jdbc.update("insert into kpi_daily_segment select " + dims + ", s.segment, " + RAW_MEASURES
        + " from engagement_event e join engagement_segment s on s.event_id = e.id group by " + dims + ", s.segment");
  }

  /** The monthly tables from the daily ones, the delay histograms from the raw events. */
  public void rebuildRollups() {
    jdbc.update("delete from kpi_daily_cv_segment");
    jdbc.update("delete from kpi_daily_cv");
    jdbc.update("delete from kpi_monthly_segment");
    jdbc.update("delete from kpi_monthly");
    jdbc.update("delete from kpi_delay");
    String sums = String.join(", ", MEASURES.stream().map(m -> "sum(" + m + ")").toList());
    String month = "cast(date_trunc('month', event_day) as date)";
    jdbc.update("insert into kpi_daily_cv select event_day, channel, variant, " + sums
        + " from kpi_daily group by event_day, channel, variant");
    jdbc.update("insert into kpi_daily_cv_segment select event_day, channel, variant, segment, " + sums
        + " from kpi_daily_segment group by event_day, channel, variant, segment");
    jdbc.update("insert into kpi_monthly select " + month + ", journey_key, step_id, channel, variant, " + sums
        + " from kpi_daily group by " + month + ", journey_key, step_id, channel, variant");
    jdbc.update("insert into kpi_monthly_segment select " + month + ", journey_key, step_id, channel, variant, segment, " + sums
        + " from kpi_daily_segment group by " + month + ", journey_key, step_id, channel, variant, segment");
    for (Rollup rollup : Rollup.values()) {
      for (String grain : List.of(DAY, MONTH)) {
        String period = grain.equals(DAY) ? "cast(e.occurred_at as date)" : "cast(date_trunc('month', e.occurred_at) as date)";
        List<String> key = List.of(period,
            rollup.journeyStep ? "coalesce(e.journey_key, '')" : "''", rollup.journeyStep ? "coalesce(e.step_id, '')" : "''",
            rollup.channel ? "coalesce(e.channel, '')" : "''", rollup.variant ? "coalesce(e.variant, '')" : "''",
            rollup.segment ? "s.segment" : "''",
            SQL_DELAY_KIND, DelayHistogram.SQL_BUCKET);
        jdbc.update("insert into kpi_delay (rollup, grain, event_day, journey_key, step_id, channel, variant, segment, kind, bucket, n) "
            + "select " + rollup.code + ", '" + grain + "', " + String.join(", ", key) + ", count(*) from engagement_event e "
            + (rollup.segment ? "join engagement_segment s on s.event_id = e.id " : "")
            + "where e.delay_ms is not null and e.event_type in ('REPLIED', 'AGENT_RESPONDED') group by "
            + String.join(", ", key.stream().filter(k -> !k.equals("''")).toList()));
      }
    }
  }

  private static long is(EngagementEvent e, EngagementType type) {
    return e.type() == type ? 1 : 0;
  }

  private static String dim(String value) {
    return value == null ? "" : value;
  }

  private static String placeholders(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private static Object[] concat(Object[] a, Object... b) {
    Object[] out = new Object[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static List<Object> withSegment(List<Object> key, String segment) {
    List<Object> out = new ArrayList<>(key);
    out.add(segment);
    return out;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return List.copyOf(out);
  }
}
