package io.relais.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code bench/run.sh --pg-start true}: the benchmark's own PostgreSQL, configured as production, gone after the run. */
class BenchServerTest {

  private static final long GB = 1024L * 1024 * 1024;

  @Test
  void productionSettingsFollowTheMachinesMemory() {
    // the machine: 24 GB, a quarter as shared buffers
    assertThat(BenchServer.productionSettings(24 * GB))
        .contains("shared_buffers = 6144MB", "effective_cache_size = 12288MB", "maintenance_work_mem = 768MB", "autovacuum = on");
    // a large machine: shared buffers capped at 8 GB; a small one: never below PostgreSQL's own default
    assertThat(BenchServer.productionSettings(256 * GB)).contains("shared_buffers = 8192MB", "maintenance_work_mem = 1024MB");
    assertThat(BenchServer.productionSettings(GB / 4)).contains("shared_buffers = 128MB");
  }

  @Test
  void startsAServerWithThoseSettingsAndLeavesNothingBehind() throws Exception {
    int port = RelaisNode.freePort();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    Path data;
    // a 2 GB machine, so that the test's server stays small; the extra line wins over the defaults
    try (BenchServer server = BenchServer.start(port, 2 * GB, List.of("jit = off"), new PrintStream(log, true, StandardCharsets.UTF_8))) {
      data = server.dataDirectory();
      assertThat(data.resolve("PG_VERSION")).exists();
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
          Statement s = c.createStatement()) {
        assertThat(setting(s, "shared_buffers")).isEqualTo("512MB");
        assertThat(setting(s, "autovacuum")).isEqualTo("on");
        assertThat(setting(s, "jit")).isEqualTo("off");
        s.execute("create database relais_bench_server_test");
      }
      // the benchmark's database on it, as Benchmark.main makes it
      try (BenchDatabase db = BenchDatabase.create("127.0.0.1", port, "postgres", "")) {
        assertThat(db.queryLong("select count(*) from pg_database where datname like 'relais_bench_%'")).isEqualTo(2);
      }
    }
    assertThat(log.toString(StandardCharsets.UTF_8)).contains("127.0.0.1:" + port, "shared_buffers = 512MB", "jit = off");
    assertThat(Files.exists(data)).as("data directory deleted").isFalse();
    assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "").close())
        .as("server stopped").isInstanceOf(SQLException.class);
  }

  @Test
  void theBenchmarkRefusesServerSettingsWithoutAServerOfItsOwn() {
    assertThatThrownBy(() -> Benchmark.main(new String[] {"--pg-conf", "jit = off"}))
        .hasMessageContaining("--pg-start true");
    assertThatThrownBy(() -> Benchmark.main(new String[] {"--pg-start", "true", "--pg-host", "db.example"}))
        .hasMessageContaining("--pg-host");
  }

  private static String setting(Statement s, String name) throws SQLException {
    try (ResultSet rs = s.executeQuery("show " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
