package io.relais.support;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * PostgreSQL's counters for each table of the current database ({@code pg_stat_user_tables}),
 * with the table's indexes ({@code pg_index}): what a stretch of work cost, table by table, once two
 * readings are subtracted. Plain JDBC, so that the benchmark's driver (no Spring on its class path)
 * and the tests ({@link DatabaseWork}) read them the same way.
 *
 * <p>Each row holds, in this order: sequential scans, index scans, rows inserted, updated, deleted,
 * updated as HOT, indexes, partial indexes (the last two are the table's, not differences).
 */
public record TableCounters(Map<String, long[]> rows) {

  /**
   * How long after some work its counters can take to appear: a backend publishes them at the end
   * of a transaction at most once a second, and one that goes idle within that second keeps them for
   * 10 s (PostgreSQL 15's {@code PGSTAT_IDLE_INTERVAL}); a connection pool holds many such. Read
   * sooner, a stretch of work misses its own last rows and is handed those of the work before it.
   */
  public static final long PUBLISHED_WITHIN_MS = 11_000;

  public static final int SEQ_SCANS = 0;
  public static final int INDEX_SCANS = 1;
  public static final int INSERTED = 2;
  public static final int UPDATED = 3;
  public static final int DELETED = 4;
  public static final int HOT_UPDATED = 5;
  public static final int INDEXES = 6;
  public static final int PARTIAL_INDEXES = 7;

  private static final String QUERY = "select t.relname, coalesce(t.seq_scan, 0), coalesce(t.idx_scan, 0), t.n_tup_ins, t.n_tup_upd, "
      + "t.n_tup_del, t.n_tup_hot_upd, "
      + "(select count(*) from pg_index i where i.indrelid = t.relid and i.indpred is null), "
      + "(select count(*) from pg_index i where i.indrelid = t.relid and i.indpred is not null) from pg_stat_user_tables t";

  /** The counters now (as published: see {@link #PUBLISHED_WITHIN_MS}). */
  public static TableCounters read(Connection connection) throws SQLException {
    Map<String, long[]> rows = new TreeMap<>();
    try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
      while (rs.next()) {
        long[] r = new long[8];
        for (int i = 0; i < r.length; i++) {
          r[i] = rs.getLong(i + 2);
        }
        rows.put(rs.getString(1).toLowerCase(Locale.ROOT), r);
      }
    }
    return new TableCounters(rows);
  }

  /** What each table did since {@code before} (its indexes as they are now). */
  public TableCounters minus(TableCounters before) {
    Map<String, long[]> d = new TreeMap<>();
    rows.forEach((table, now) -> {
      long[] was = before.rows.getOrDefault(table, new long[8]);
      long[] r = now.clone();
      for (int i = SEQ_SCANS; i <= HOT_UPDATED; i++) {
        r[i] -= was[i];
      }
      d.put(table, r);
    });
    return new TableCounters(d);
  }

  /**
   * The index entries a table's rows wrote: a row inserted, or updated other than HOT (an indexed
   * column changed, or no room on its page), writes one entry into each of its table's indexes, and
   * into each partial index whose predicate admits it. Partial indexes are not counted: how many
   * rows they admit is not in the statistics.
   */
  public static long indexEntries(long[] r) {
    return (r[INSERTED] + r[UPDATED] - r[HOT_UPDATED]) * r[INDEXES];
  }

  public long indexEntries() {
    return rows.values().stream().mapToLong(TableCounters::indexEntries).sum();
  }

  /** The index entries per operation, then the tables that wrote any, most first, with their rows. */
  public String indexEntriesPer(double operations, String unit) {
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "%.1f index entries written per %s ((inserted + updated - HOT) × indexes, partial indexes not counted), by table:",
        indexEntries() / operations, unit));
    rows.entrySet().stream().filter(e -> indexEntries(e.getValue()) > 0)
        .sorted((a, b) -> Long.compare(indexEntries(b.getValue()), indexEntries(a.getValue())))
        .forEach(e -> {
          long[] r = e.getValue();
          out.append(String.format(Locale.ROOT, "%n    %-24s %5.1f = (%.2f ins + %.2f upd - %.2f HOT) × %d%s; %.2f deleted",
              e.getKey(), indexEntries(r) / operations, r[INSERTED] / operations, r[UPDATED] / operations, r[HOT_UPDATED] / operations,
              r[INDEXES], r[PARTIAL_INDEXES] == 0 ? "" : " (+" + r[PARTIAL_INDEXES] + " partial)", r[DELETED] / operations));
        });
    return out.toString();
  }
}
