package io.relais.support;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What autovacuum's analyze would do, for a benchmark on a PostgreSQL server that runs without
 * it (the development and CI machines do: {@code autovacuum = off}). A production server analyzes
 * a table once more than 50 rows + 10 % of it changed; without that, the planner keeps the plans
 * it made for the empty tables a benchmark starts from, and the figures measure stale statistics,
 * not Relais. Every {@code nap} this analyzes the tables past that threshold, on its own
 * connection (plain JDBC: the standalone benchmark driver uses it too). Does nothing when the
 * server's autovacuum is on.
 */
public final class Autoanalyze implements AutoCloseable {

  private static final String DUE = "select quote_ident(schemaname) || '.' || quote_ident(relname) from pg_stat_user_tables "
      + "where n_mod_since_analyze > 50 + 0.1 * n_live_tup";

  private final String url;
  private final String user;
  private final String password;
  private final Thread thread;
  private final AtomicInteger analyzed = new AtomicInteger();
  private volatile boolean running = true;
  private final boolean active;

  private Autoanalyze(String url, String user, String password, Duration nap, PrintStream log) {
    this.url = url;
    this.user = user;
    this.password = password;
    boolean off;
    try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("show autovacuum")) {
      off = rs.next() && !"on".equals(rs.getString(1));
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot read the server's autovacuum setting: " + e.getMessage(), e);
    }
    this.active = off;
    if (!off) {
      this.thread = null;
      return;
    }
    log.println("autovacuum is off on this server: the benchmark analyzes tables every " + nap.toSeconds()
        + " s as autovacuum's analyze would (more than 50 rows + 10 % changed)");
    this.thread = new Thread(() -> loop(url, user, password, nap), "bench-autoanalyze");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts analyzing when the server's autovacuum is off; {@link #close()} stops it. */
  public static Autoanalyze start(String url, String user, String password, Duration nap, PrintStream log) {
    return new Autoanalyze(url, user, password, nap, log);
  }

  /** Whether the server had autovacuum off (so this analyzed for it). */
  public boolean active() {
    return active;
  }

  /** Tables analyzed so far. */
  public int analyzed() {
    return analyzed.get();
  }

  /** When active, analyzes the tables past the threshold now (before a measured phase); returns how many. */
  public int now() {
    if (!active) {
      return 0;
    }
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      int n = analyzeDue(c);
      analyzed.addAndGet(n);
      return n;
    } catch (SQLException e) {
      throw new IllegalStateException("analyze failed: " + e.getMessage(), e);
    }
  }

  /** Analyzes every table past the threshold now; returns how many. */
  public static int analyzeDue(Connection c) throws SQLException {
    List<String> due = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(DUE)) {
      while (rs.next()) {
        due.add(rs.getString(1));
      }
    }
    for (String table : due) {
      try (Statement s = c.createStatement()) {
        s.execute("analyze " + table);
      }
    }
    return due.size();
  }

  private void loop(String url, String user, String password, Duration nap) {
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      c.setAutoCommit(true);
      while (running) {
        analyzed.addAndGet(analyzeDue(c));
        Thread.sleep(nap.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (SQLException e) {
      if (running) {
        System.err.println("bench-autoanalyze stopped: " + e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    running = false;
    if (thread != null) {
      thread.interrupt();
    }
  }
}
