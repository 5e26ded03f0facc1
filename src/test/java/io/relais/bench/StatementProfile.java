package io.relais.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

/**
 * Where PostgreSQL's time went during a phase, statement by statement, from {@code
 * pg_stat_statements} when the server has it loaded ({@code shared_preload_libraries =
 * 'pg_stat_statements'}, which needs a restart; bench/README.md). Each phase starts from a reset
 * of the benchmark database's entries; its summary gives the execution and planning time per
 * journey by kind (the engine's runtime tables, its history, Relais' own tables, the benchmark's
 * analyze and progress polls) and the statements that took most. Without the extension it says
 * so and does nothing.
 */
final class StatementProfile {

  /** Classifies a statement; the benchmark's own ones are marked so that they are not taken for Relais'. */
  private static final String KIND = "case when query ~* '^\\s*analyze' then 'benchmark: analyze' "
      + "when query ~* 'count\\(\\*\\) from (act_|journey_start|contact where id like)|count\\(\\*\\) from message where direction|a\\.end_time_ from act_hi_actinst|^update act_ru_job set duedate_' "
      + "then 'benchmark: polls, set-up' "
      + "when query ~* 'ACT_HI_' then 'engine history' when query ~* 'ACT_(RU|RE|GE|ID)_' then 'engine runtime' "
      + "else 'relais' end";

  private final BenchDatabase db;
  private final boolean active;
  private final String unavailable;

  private StatementProfile(BenchDatabase db, boolean active, String unavailable) {
    this.db = db;
    this.active = active;
    this.unavailable = unavailable;
  }

  /** Creates the extension in the benchmark database when the server has the library loaded. */
  static StatementProfile open(BenchDatabase db) {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("create extension if not exists pg_stat_statements");
      try (ResultSet rs = s.executeQuery("select count(*) from pg_stat_statements")) {
        rs.next();
      }
      return new StatementProfile(db, true, null);
    } catch (SQLException e) {
      return new StatementProfile(db, false, "no statement profile: " + firstLine(e.getMessage())
          + " (bench/README.md, 'Where PostgreSQL's time goes')");
    }
  }

  boolean active() {
    return active;
  }

  /** Why there is no profile, or null. */
  String unavailable() {
    return unavailable;
  }

  /** Forgets this database's statements: the next summary covers what runs from now on. */
  void reset() {
    if (active) {
      try {
        db.queryLong("select 0 from (select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)) r");
      } catch (RuntimeException e) {
        throw new IllegalStateException("pg_stat_statements is loaded but this user cannot reset it: " + firstLine(e.getMessage()), e);
      }
    }
  }

  /** The time per journey (or per reply: {@code unit}) by kind, then the {@code top} statements. */
  String summary(int journeys, String unit, int top) {
    if (!active) {
      return unavailable;
    }
    StringBuilder out = new StringBuilder();
    String mine = "from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) "
        + "and query !~* 'pg_stat_statements'";
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      double total = 0;
      StringBuilder kinds = new StringBuilder();
      try (ResultSet rs = s.executeQuery("select " + KIND + " kind, sum(calls), sum(total_exec_time), sum(total_plan_time) " + mine
          + " group by 1 order by 3 + 4 desc")) {
        while (rs.next()) {
          double ms = rs.getDouble(3) + rs.getDouble(4);
          total += ms;
          kinds.append(String.format(Locale.ROOT, "%n    %-26s %8.3f ms/%s (%.0f %% planning), %6.1f statements/%s", rs.getString(1),
              ms / journeys, unit, 100 * rs.getDouble(4) / Math.max(ms, 1e-9), rs.getLong(2) / (double) journeys, unit));
        }
      }
      out.append(String.format(Locale.ROOT, "%.3f ms of statement time per %s (execution + planning), by kind:", total / journeys, unit))
          .append(kinds);
      out.append(String.format(Locale.ROOT, "%n    top statements (ms/%s, calls/%s, ms/call):", unit, unit));
      try (ResultSet rs = s.executeQuery("select total_exec_time + total_plan_time, calls, regexp_replace(query, '\\s+', ' ', 'g') " + mine
          + " order by 1 desc limit " + top)) {
        while (rs.next()) {
          out.append(String.format(Locale.ROOT, "%n    %8.3f %7.2f %8.3f  %s", rs.getDouble(1) / journeys, rs.getLong(2) / (double) journeys,
              rs.getDouble(1) / Math.max(1, rs.getLong(2)), shortened(rs.getString(3))));
        }
      }
      // with pg_stat_statements.track_planning = on: the statements the server planned again (a
      // custom plan, or a statement the driver has not prepared yet), most planning time first
      try (ResultSet rs = s.executeQuery("select total_plan_time, plans, calls, regexp_replace(query, '\\s+', ' ', 'g') " + mine
          + " and plans > 0 order by 1 desc limit 10")) {
        boolean first = true;
        while (rs.next()) {
          if (first) {
            out.append(String.format(Locale.ROOT, "%n    planned most (ms of planning/%s, plans/%s, plans per call):", unit, unit));
            first = false;
          }
          out.append(String.format(Locale.ROOT, "%n    %8.3f %7.2f %8.2f  %s", rs.getDouble(1) / journeys, rs.getLong(2) / (double) journeys,
              rs.getLong(2) / (double) Math.max(1, rs.getLong(3)), shortened(rs.getString(4))));
        }
      }
    } catch (SQLException e) {
      return "statement profile failed: " + firstLine(e.getMessage());
    }
    return out.toString();
  }

  /** A statement as listed: whitespace already collapsed, cut at 110 characters. */
  private static String shortened(String query) {
    return query.length() > 110 ? query.substring(0, 110) + "…" : query;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
