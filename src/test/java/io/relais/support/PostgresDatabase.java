package io.relais.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh PostgreSQL database for one test, dropped afterwards, on the server that {@code .ci/run}
 * provides: {@code RELAIS_TEST_PG_HOST} / {@code RELAIS_TEST_PG_PORT} / {@code RELAIS_TEST_PG_USER}
 * (defaults 127.0.0.1, 5432, postgres; trust authentication).
 */
public final class PostgresDatabase implements AutoCloseable {

  private final String name;

  private PostgresDatabase(String name) {
    this.name = name;
  }

  public static PostgresDatabase create() {
    String name = "relais_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    admin("create database " + name);
    return new PostgresDatabase(name);
  }

  /** A database that already exists (a benchmark's kept data); closing it drops it. */
  public static PostgresDatabase existing(String name) {
    return new PostgresDatabase(name);
  }

  public String name() {
    return name;
  }

  public String url() {
    return "jdbc:postgresql://" + host() + ":" + port() + "/" + name;
  }

  public String user() {
    return env("RELAIS_TEST_PG_USER", "postgres");
  }

  public String password() {
    return env("RELAIS_TEST_PG_PASSWORD", "");
  }

  /** What Relais' {@code postgres} profile needs to run on this database (its environment variables). */
  public java.util.Map<String, Object> productionProfileProperties() {
    java.util.Map<String, Object> props = new java.util.HashMap<>();
    props.put("RELAIS_DB_URL", url());
    props.put("RELAIS_DB_USER", user());
    props.put("RELAIS_DB_PASSWORD", password().isEmpty() ? "trust-auth" : password());
    props.put("RELAIS_ADMIN_PASSWORD", "a-long-admin-secret");
    return props;
  }

  /** A connection pool on this database, of at most {@code maxPoolSize} connections; the caller closes it. */
  public HikariDataSource pool(int maxPoolSize) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url());
    config.setUsername(user());
    config.setPassword(password());
    config.setMaximumPoolSize(maxPoolSize);
    return new HikariDataSource(config);
  }

  @Override
  public void close() {
    admin("drop database if exists " + name + " with (force)");
  }

  private static void admin(String sql) {
    String url = "jdbc:postgresql://" + host() + ":" + port() + "/postgres";
    try (Connection c = DriverManager.getConnection(url, env("RELAIS_TEST_PG_USER", "postgres"), env("RELAIS_TEST_PG_PASSWORD", ""));
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL for tests at " + url + ": " + e.getMessage(), e);
    }
  }

  static String host() {
    return env("RELAIS_TEST_PG_HOST", "127.0.0.1");
  }

  static String port() {
    return env("RELAIS_TEST_PG_PORT", "5432");
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
