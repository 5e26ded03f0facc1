package io.relais.bench;

import io.relais.support.TableCounters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's view of PostgreSQL: a database on a given server (created and dropped, or given),
 * counts and sizes read straight from the engine's tables, and the server's own ceiling measured
 * with {@code pgbench} (or, when pgbench is not installed, the same transactions over JDBC).
 */
public final class BenchDatabase implements AutoCloseable {

  private final String host;
  private final int port;
  private final String user;
  private final String password;
  private final String name;
  private final boolean owned;

  private BenchDatabase(String host, int port, String user, String password, String name, boolean owned) {
    this.host = host;
    this.port = port;
    this.user = user;
    this.password = password == null ? "" : password;
    this.name = name;
    this.owned = owned;
  }

  /** Creates a fresh database on the server, dropped on {@link #close()}. */
  public static BenchDatabase create(String host, int port, String user, String password) {
    String name = "relais_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    try (Connection c = DriverManager.getConnection(serverUrl(host, port, "postgres"), user, password);
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create a database on " + host + ":" + port + ": " + e.getMessage(), e);
    }
    return new BenchDatabase(host, port, user, password, name, true);
  }

  /** An existing database, left in place on close. */
  public static BenchDatabase existing(String host, int port, String user, String password, String name) {
    return new BenchDatabase(host, port, user, password, name, false);
  }

  private static String serverUrl(String host, int port, String db) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + db;
  }

  public String url() {
    return serverUrl(host, port, name);
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  private Connection probe;

  /**
   * One connection kept for counts and sizes, reopened when it broke (a restarted server): the
   * probes must not compete for connections with Relais on a busy server.
   */
  private synchronized Connection probe() throws SQLException {
    if (probe == null || !probe.isValid(2)) {
      probe = connect();
    }
    return probe;
  }

  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url(), user, password);
  }

  /** A single number from a query, such as a count. */
  public long queryLong(String sql, Object... args) {
    Long v = queryOne(sql, rs -> rs.getLong(1), args);
    return v == null ? 0 : v;
  }

  /** A single string from a query; null when no row. */
  public String queryString(String sql, Object... args) {
    return queryOne(sql, rs -> rs.getString(1), args);
  }

  private interface Column<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private <T> T queryOne(String sql, Column<T> column, Object... args) {
    try (PreparedStatement ps = probe().prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? column.read(rs) : null;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  public int update(String sql, Object... args) {
    try (PreparedStatement ps = probe().prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }

  /**
   * Contacts {@code <prefix>0 .. <prefix>n-1} with a French mobile, an email and a granted
   * marketing consent for EMAIL and SMS, written as the contact import writes them (contact row,
   * consent ledger event, consent state) but in a few set-based statements.
   */
  public void seedContacts(String prefix, int n) {
    String series = "from generate_series(0, " + (n - 1) + ") i";
    update("insert into contact (id, phone, email, first_name, time_zone, holiday_zone, last_activity_at, created_at, updated_at) "
        + "select '" + prefix + "' || i, '+3367' || lpad(i::text, 7, '0'), '" + prefix + "' || i || '@bench.example', 'Camille', "
        + "'Europe/Paris', 'METROPOLE', now(), now(), now() " + series);
    for (String channel : new String[] {"EMAIL", "SMS"}) {
      update("insert into consent_event (contact_id, channel, purpose, status, legal_basis, method, source, proof, occurred_at, recorded_at) "
          + "select '" + prefix + "' || i, '" + channel + "', 'MARKETING', 'GRANTED', 'CONSENT', 'IMPORT', 'bench', 'bench seed', "
          + "timestamp '2026-01-01', now() " + series);
      update("insert into consent_state (contact_id, channel, purpose, status, event_id, occurred_at) "
          + "select contact_id, channel, purpose, status, id, occurred_at from consent_event where channel = '" + channel
          + "' and proof = 'bench seed'");
    }
    update("analyze contact");
    update("analyze consent_state");
  }

  /** The tables of the current schema whose name starts with the prefix, by name. */
  private List<String> tablesLike(String prefix) {
    List<String> tables = new ArrayList<>();
    try (PreparedStatement ps = probe().prepareStatement(
        "select c.relname from pg_class c join pg_namespace ns on ns.oid = c.relnamespace where c.relkind = 'r' "
            + "and ns.nspname = current_schema() and c.relname like ? order by c.relname")) {
      ps.setString(1, prefix.toLowerCase(Locale.ROOT) + "%");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return tables;
  }

  /** Exact row counts of the tables with this prefix, divided by n, e.g. "act_ru_job 1.00, ...": what a journey keeps. */
  public String rowsPerTable(String prefix, int n) {
    List<String> tables = tablesLike(prefix);
    StringBuilder out = new StringBuilder();
    for (String t : tables) {
      long rows = queryLong("select count(*) from " + t);
      if (rows > 0) {
        out.append(out.isEmpty() ? "" : ", ").append(t).append(String.format(Locale.ROOT, " %.2f", rows / (double) n));
      }
    }
    return out.toString();
  }

  /** PostgreSQL's own counters for this database: what a phase cost it in commits and rows. */
  public record Work(long commits, long inserted, long updated, long deleted, long fetched) {
    Work minus(Work before) {
      return new Work(commits - before.commits, inserted - before.inserted, updated - before.updated, deleted - before.deleted,
          fetched - before.fetched);
    }
  }

  /**
   * The server's write-ahead log so far (all databases: {@code pg_stat_wal}, PostgreSQL 14+): bytes,
   * full-page images, and checkpoints begun ({@code pg_stat_bgwriter}); null where unreadable.
   */
  public Wal wal() {
    try (PreparedStatement ps = probe().prepareStatement(
        "select w.wal_bytes, w.wal_fpi, b.checkpoints_timed + b.checkpoints_req from pg_stat_wal w, pg_stat_bgwriter b");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Wal(rs.getLong(1), rs.getLong(2), rs.getLong(3));
    } catch (SQLException e) {
      return null;
    }
  }

  /** Write-ahead log counters: bytes, full-page images (8 kB pages written whole after a checkpoint), checkpoints. */
  public record Wal(long bytes, long fullPageImages, long checkpoints) {
    Wal minus(Wal before) {
      return new Wal(bytes - before.bytes, fullPageImages - before.fullPageImages, checkpoints - before.checkpoints);
    }
  }

  /**
   * The delivered outbound messages of a channel written since {@code since} (the node's clock,
   * the same machine's): how many, and the first and last {@code created_at}, in milliseconds
   * after {@code since}; both -1 when there is none.
   */
  public Sent sentSince(String channel, Timestamp since) {
    return queryOne("select count(*), coalesce(round(extract(epoch from (min(created_at) - cast(? as timestamp))) * 1000), -1), "
        + "coalesce(round(extract(epoch from (max(created_at) - cast(? as timestamp))) * 1000), -1) "
        + "from message where direction = 'OUT' and channel = ? and status = 'DELIVERED' and created_at >= cast(? as timestamp)",
        rs -> new Sent(rs.getLong(1), rs.getLong(2), rs.getLong(3)), since, since, channel, since);
  }

  /** Messages sent in a span: how many, the first and the last in ms after its start. */
  public record Sent(long count, long firstMs, long lastMs) {}

  /** The counters of {@code pg_stat_database} now (after the statistics of finished transactions are flushed). */
  public Work work() {
    RelaisNode.sleep(1100); // PostgreSQL 15 flushes other backends' statistics at most every second
    try (PreparedStatement ps = probe().prepareStatement(
        "select xact_commit, tup_inserted, tup_updated, tup_deleted, tup_fetched from pg_stat_database where datname = current_database()");
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return new Work(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each table's counters and indexes, read once its backends have published them ({@link TableCounters}). */
  public TableCounters tableCounters() {
    RelaisNode.sleep(TableCounters.PUBLISHED_WITHIN_MS);
    try {
      return TableCounters.read(probe());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Bytes (tables, indexes, TOAST) of every table whose name starts with the prefix, e.g. act_ru_. */
  public long bytesOfTables(String prefix) {
    return queryLong(
        "select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            + "where c.relkind = 'r' and n.nspname = current_schema() and c.relname like ?",
        prefix.toLowerCase(Locale.ROOT) + "%");
  }

  /**
   * Rewrites every table whose name starts with the prefix, and its indexes, without the space of
   * deleted rows ({@code VACUUM FULL}, then analyzed), so that the rows written next take new
   * space, as in a table that never held the deleted ones. Each table is locked while it is
   * rewritten: for tables that hold few rows.
   */
  public void compact(String prefix) {
    for (String table : tablesLike(prefix)) {
      update("vacuum (full, analyze) " + table);
    }
  }

  /**
   * Single-row insert transactions per second the server sustains with {@code clients}
   * connections: PostgreSQL's ceiling for a write path like Relais'. Returns tps and how it was
   * measured.
   */
  public Ceiling ceiling(int clients, int seconds) {
    update("create table if not exists relais_bench_ceiling (id bigserial primary key, v bigint not null, at timestamp not null default now())");
    Ceiling viaPgbench = pgbench(clients, seconds);
    Ceiling result = viaPgbench != null ? viaPgbench : jdbcCeiling(clients, seconds);
    update("drop table relais_bench_ceiling");
    return result;
  }

  /** The ceiling's figure and the tool that measured it. */
  public record Ceiling(double tps, String tool) {}

  private Ceiling pgbench(int clients, int seconds) {
    try {
      Path script = Files.createTempFile("relais-ceiling", ".sql");
      Files.writeString(script, "\\set v random(1, 1000000000)\ninsert into relais_bench_ceiling (v) values (:v);\n");
      ProcessBuilder pb = new ProcessBuilder("pgbench", "-h", host, "-p", Integer.toString(port), "-U", user, "-n",
          "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)), "-T", Integer.toString(seconds),
          "-f", script.toString(), name).redirectErrorStream(true);
      if (!password.isEmpty()) {
        pb.environment().put("PGPASSWORD", password);
      }
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(seconds + 60L, TimeUnit.SECONDS);
      Files.deleteIfExists(script);
      Matcher m = Pattern.compile("tps = ([0-9.]+) \\(without initial").matcher(out);
      if (!m.find()) {
        m = Pattern.compile("tps = ([0-9.]+)").matcher(out);
        if (!m.find()) {
          System.err.println("pgbench gave no tps, falling back to JDBC: " + out);
          return null;
        }
      }
      return new Ceiling(Double.parseDouble(m.group(1)), "pgbench -c " + clients + " -T " + seconds);
    } catch (IOException e) {
      return null; // pgbench not installed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private Ceiling jdbcCeiling(int clients, int seconds) {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    AtomicLong done = new AtomicLong();
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      futures.add(pool.submit(() -> {
        try (Connection c = connect();
            PreparedStatement ps = c.prepareStatement("insert into relais_bench_ceiling (v) values (?)")) {
          c.setAutoCommit(true);
          while (System.nanoTime() < end) {
            ps.setLong(1, System.nanoTime());
            ps.executeUpdate();
            done.incrementAndGet();
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (Exception e) {
        throw new IllegalStateException("JDBC ceiling failed", e);
      }
    }
    pool.shutdown();
    double secs = (System.nanoTime() - start) / 1e9;
    return new Ceiling(done.get() / secs, "JDBC inserts, " + clients + " clients, " + seconds + " s (no pgbench)");
  }

  @Override
  public void close() {
    try {
      if (probe != null) {
        probe.close();
      }
    } catch (SQLException e) {
      // closing anyway
    }
    if (!owned) {
      return;
    }
    try (Connection c = DriverManager.getConnection(serverUrl(host, port, "postgres"), user, password);
        Statement s = c.createStatement()) {
      s.execute("drop database if exists " + name + " with (force)");
    } catch (SQLException e) {
      System.err.println("Could not drop " + name + ": " + e.getMessage());
    }
  }
}
