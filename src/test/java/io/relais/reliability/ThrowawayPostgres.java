package io.relais.reliability;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of our own under /tmp on a free port (initdb as user postgres, like
 * {@code .ci/run}), so that a test may stop and restart the server: the shared 5432 server of the
 * machine is never touched.
 */
public final class ThrowawayPostgres implements AutoCloseable {

  private final Path bin;
  private final Path data;
  private final int port;

  private ThrowawayPostgres(Path bin, Path data, int port) {
    this.bin = bin;
    this.data = data;
    this.port = port;
  }

  public static ThrowawayPostgres start() {
    Path bin = installedBin();
    try {
      Path data = Files.createTempDirectory(Path.of("/tmp"), "relais-reliability-pg");
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
      if (isRoot()) {
        run(List.of("chown", "postgres:", data.toString()));
      }
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      ThrowawayPostgres pg = new ThrowawayPostgres(bin, data, port);
      pg.asPostgres(bin.resolve("initdb") + " -D " + data + " -A trust -U postgres --no-sync -E UTF8");
      pg.startServer();
      return pg;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** True when PostgreSQL's server binaries are installed (Debian's /usr/lib/postgresql/N/bin). */
  public static boolean available() {
    try {
      installedBin();
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private static Path installedBin() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
          .orElseThrow(() -> new IllegalStateException("no initdb under /usr/lib/postgresql/*/bin"));
    } catch (IOException e) {
      throw new IllegalStateException("PostgreSQL server binaries not installed (/usr/lib/postgresql)", e);
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  public String createDatabase(String name) {
    try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + name;
  }

  public void startServer() {
    asPostgres(bin.resolve("pg_ctl") + " -D " + data + " -l " + data.resolve("server.log") + " -w -t 60 -o \"-p " + port
        + " -k " + data + " -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off\" start");
  }

  /** A fast shutdown: the server closes every connection, as in a restart for an upgrade. */
  public void stopServer() {
    asPostgres(bin.resolve("pg_ctl") + " -D " + data + " -m fast -w -t 60 stop");
  }

  private void asPostgres(String command) {
    if (isRoot()) {
      run(List.of("su", "postgres", "-s", "/bin/sh", "-c", command));
    } else {
      run(List.of("/bin/sh", "-c", command));
    }
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      asPostgres(bin.resolve("pg_ctl") + " -D " + data + " -m immediate -w stop");
    } catch (IllegalStateException e) {
      // already stopped
    }
    try (Stream<Path> walk = Files.walk(data)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // leave it to /tmp cleaning
    }
  }

  @Override
  public String toString() {
    return "PostgreSQL " + Arrays.asList(bin, data, port);
  }
}
