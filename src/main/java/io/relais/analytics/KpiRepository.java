package io.relais.analytics;

import io.relais.analytics.KpiFilter.GroupBy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The KPI queries: one aggregate over {@code engagement_event} per request, using only sums (the
 * first click/reply/order per message carries a {@code first_key}, so "unique" needs no count
 * distinct) so that PostgreSQL can run it in parallel over an index range of {@code occurred_at}.
 */
@Repository
public class KpiRepository {

  private static final String UNIQUE = "and e.first_key is not null ";

  private final JdbcTemplate jdbc;
  private final boolean h2;

  public KpiRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.h2 = Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) c -> c.getMetaData().getDatabaseProductName().startsWith("H2")));
  }

  /** The whole filter as one row. */
  public KpiRow total(KpiFilter filter) {
    List<KpiRow> rows = query(filter.groupedBy(null));
    return rows.get(0);
  }

  /** One row per group of {@code filter.groupBy()}, or a single total row if it is null. */
  public List<KpiRow> query(KpiFilter filter) {
    GroupBy g = filter.groupBy();
    String group = g == null ? null : switch (g) {
      case JOURNEY -> "e.journey_key";
      case STEP -> "e.journey_key, e.step_id";
      case CHANNEL -> "e.channel";
      case SEGMENT -> "s.segment";
      case VARIANT -> "e.variant";
      case DAY -> "date_trunc('day', e.occurred_at)";
      case WEEK -> h2 ? "date_trunc('iso_week', e.occurred_at)" : "date_trunc('week', e.occurred_at)";
      case MONTH -> "date_trunc('month', e.occurred_at)";
    };
    StringBuilder sql = new StringBuilder("select ");
    if (group != null) {
      sql.append(group).append(", ");
    }
    sql.append("""
        sum(case when e.event_type = 'SENT' then 1 else 0 end),
        sum(case when e.event_type = 'DELIVERED' then 1 else 0 end),
        sum(case when e.event_type = 'FAILED' then 1 else 0 end),
        sum(case when e.event_type = 'OPENED' %1$sthen 1 else 0 end),
        sum(case when e.event_type = 'CLICKED' %1$sthen 1 else 0 end),
        sum(case when e.event_type = 'ORDERED' %1$sthen 1 else 0 end),
        sum(case when e.event_type = 'OPTED_OUT' %1$sthen 1 else 0 end),
        sum(case when e.event_type = 'REPLIED' %1$sthen 1 else 0 end),
        sum(case when e.event_type = 'ORDERED' %1$sand e.after_reply = true then 1 else 0 end),
        sum(case when e.event_type = 'HANDED_OFF' then 1 else 0 end),
        sum(case when e.event_type = 'NPS_SCORE' then 1 else 0 end),
        sum(case when e.event_type = 'NPS_SCORE' and e.score >= 9 then 1 else 0 end),
        sum(case when e.event_type = 'NPS_SCORE' and e.score <= 6 then 1 else 0 end),
        sum(case when e.event_type = 'ORDERED' then e.revenue end),
        sum(case when e.event_type = 'SENT' then e.cost end),
        percentile_cont(0.5) within group (order by e.delay_ms) filter (where e.event_type = 'REPLIED'),
        percentile_cont(0.9) within group (order by e.delay_ms) filter (where e.event_type = 'REPLIED'),
        percentile_cont(0.5) within group (order by e.delay_ms) filter (where e.event_type = 'AGENT_RESPONDED'),
        percentile_cont(0.9) within group (order by e.delay_ms) filter (where e.event_type = 'AGENT_RESPONDED')
        from engagement_event e
        """.formatted(UNIQUE));
    List<Object> args = new ArrayList<>();
    if (filter.segment() != null || g == GroupBy.SEGMENT) {
      sql.append("join engagement_segment s on s.event_id = e.id ");
      if (filter.segment() != null) {
        sql.append("and s.segment = ? ");
        args.add(filter.segment());
      }
    }
    sql.append("where 1 = 1 ");
    condition(sql, args, "e.journey_key", filter.journey());
    condition(sql, args, "e.step_id", filter.step());
    condition(sql, args, "e.channel", filter.channel() == null ? null : filter.channel().name());
    condition(sql, args, "e.variant", filter.variant());
    if (filter.from() != null) {
      sql.append("and e.occurred_at >= ? ");
      args.add(Timestamp.from(filter.from()));
    }
    if (filter.to() != null) {
      sql.append("and e.occurred_at < ? ");
      args.add(Timestamp.from(filter.to()));
    }
    if (group != null) {
      sql.append("group by ").append(group).append(" order by ").append(group);
    }
    int offset = g == null ? 0 : g == GroupBy.STEP ? 2 : 1;
    return jdbc.query(sql.toString(), (rs, n) -> map(rs, g, offset), args.toArray());
  }

  private static void condition(StringBuilder sql, List<Object> args, String column, String value) {
    if (value != null && !value.isBlank()) {
      sql.append("and ").append(column).append(" = ? ");
      args.add(value);
    }
  }

  private static KpiRow map(ResultSet rs, GroupBy g, int o) throws SQLException {
    String journey = g == GroupBy.JOURNEY || g == GroupBy.STEP ? rs.getString(1) : null;
    String step = g == GroupBy.STEP ? rs.getString(2) : null;
    String channel = g == GroupBy.CHANNEL ? rs.getString(1) : null;
    String segment = g == GroupBy.SEGMENT ? rs.getString(1) : null;
    String variant = g == GroupBy.VARIANT ? rs.getString(1) : null;
    String period = g == GroupBy.DAY || g == GroupBy.WEEK || g == GroupBy.MONTH
        ? rs.getTimestamp(1).toLocalDateTime().toLocalDate().toString() : null;
    return new KpiRow.Counts(journey, step, channel, segment, variant, period,
        rs.getLong(o + 1), rs.getLong(o + 2), rs.getLong(o + 3), rs.getLong(o + 4), rs.getLong(o + 5), rs.getLong(o + 6),
        rs.getLong(o + 7), rs.getLong(o + 8), rs.getLong(o + 9), rs.getLong(o + 10), rs.getLong(o + 11), rs.getLong(o + 12),
        rs.getLong(o + 13), rs.getBigDecimal(o + 14), rs.getBigDecimal(o + 15), dbl(rs, o + 16), dbl(rs, o + 17),
        dbl(rs, o + 18), dbl(rs, o + 19)).toRow();
  }

  private static Double dbl(ResultSet rs, int i) throws SQLException {
    double v = rs.getDouble(i);
    return rs.wasNull() ? null : v;
  }
}
