package io.relais.support;

import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What PostgreSQL did for one database between two samples, table by table: index and sequential
 * scans (about one per statement that reads or locks rows) and rows inserted, updated, deleted, from
 * {@code pg_stat_user_tables}, plus commits from {@code pg_stat_database}. Divided by the number of
 * operations of a benchmark it is the statement inventory of one operation, which says where the
 * database's CPU goes without {@code pg_stat_statements}. PostgreSQL publishes a backend's counters
 * late ({@link TableCounters#PUBLISHED_WITHIN_MS}): {@link #since} waits for them.
 */
public final class DatabaseWork {

  /** The columns of {@link TableCounters} this report shows, in its order. */
  private static final int[] SHOWN = {TableCounters.SEQ_SCANS, TableCounters.INDEX_SCANS, TableCounters.INSERTED,
      TableCounters.UPDATED, TableCounters.DELETED};

  private final JdbcTemplate jdbc;
  private final TableCounters tables;
  private final long commits;

  private DatabaseWork(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.tables = tables(jdbc);
    this.commits = commits(jdbc);
  }

  public static DatabaseWork start(JdbcTemplate jdbc) {
    return new DatabaseWork(jdbc);
  }

  /** The work since the start, per operation, one line per table that did any, busiest first. */
  public String since(int operations, String operation) throws InterruptedException {
    Thread.sleep(TableCounters.PUBLISHED_WITHIN_MS);
    TableCounters done = tables(jdbc).minus(tables);
    double ops = Math.max(1, operations);
    List<Object[]> rows = new ArrayList<>();
    double[] total = new double[SHOWN.length];
    done.rows().forEach((table, v) -> {
      double[] d = new double[SHOWN.length];
      boolean any = false;
      for (int i = 0; i < SHOWN.length; i++) {
        d[i] = v[SHOWN[i]] / ops;
        total[i] += d[i];
        any |= d[i] > 0;
      }
      if (any) {
        rows.add(new Object[] {table, d});
      }
    });
    rows.sort((a, b) -> Double.compare(sum((double[]) b[1]), sum((double[]) a[1])));
    StringBuilder out = new StringBuilder(String.format("database work per %s (%d %ss): %.1f commits (read-only ones included)%n",
        operation, operations, operation, (commits(jdbc) - commits) / ops));
    out.append(String.format("  %-28s %8s %8s %8s %8s %8s%n", "table", "seq scan", "idx scan", "inserted", "updated", "deleted"));
    for (Object[] r : rows) {
      double[] d = (double[]) r[1];
      out.append(String.format("  %-28s %8.2f %8.2f %8.2f %8.2f %8.2f%n", r[0], d[0], d[1], d[2], d[3], d[4]));
    }
    out.append(String.format("  %-28s %8.2f %8.2f %8.2f %8.2f %8.2f%n", "total", total[0], total[1], total[2], total[3], total[4]));
    return out.toString();
  }

  private static double sum(double[] d) {
    double s = 0;
    for (double x : d) {
      s += x;
    }
    return s;
  }

  private static TableCounters tables(JdbcTemplate jdbc) {
    return jdbc.execute((ConnectionCallback<TableCounters>) TableCounters::read);
  }

  private static long commits(JdbcTemplate jdbc) {
    Long n = jdbc.queryForObject("select xact_commit from pg_stat_database where datname = current_database()", Long.class);
    return n == null ? 0 : n;
  }
}
