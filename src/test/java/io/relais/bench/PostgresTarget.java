package io.relais.bench;

/** The PostgreSQL server of the test run, as {@code .ci/run} announces it (see PostgresDatabase). */
public final class PostgresTarget {

  private PostgresTarget() {}

  public static String host() {
    return env("RELAIS_TEST_PG_HOST", "127.0.0.1");
  }

  public static int port() {
    return Integer.parseInt(env("RELAIS_TEST_PG_PORT", "5432"));
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
