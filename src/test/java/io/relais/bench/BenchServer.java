package io.relais.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the benchmark's own ({@code bench/run.sh --pg-start true}): a throwaway
 * cluster made with the machine's {@code initdb}, configured the way an operator would configure a
 * production server on this machine (a quarter of the memory as shared buffers, autovacuum on), on
 * its own port; stopped and deleted on {@link #close()}. The development and CI servers these
 * machines run keep the packaged defaults (128 MB of shared buffers) and autovacuum off, which no
 * production server does.
 */
public final class BenchServer implements AutoCloseable {

  private static final long MB = 1024L * 1024;

  private final Path bin;
  private final Path data;
  private final int port;
  private final List<String> settings;
  private final boolean asPostgres;
  private boolean stopped;

  private BenchServer(Path bin, Path data, int port, List<String> settings, boolean asPostgres) {
    this.bin = bin;
    this.data = data;
    this.port = port;
    this.settings = settings;
    this.asPostgres = asPostgres;
  }

  /**
   * The settings of a production server on a machine of {@code machineBytes} that it shares with
   * one Relais node: shared buffers a quarter of the memory (at most 8 GB), the planner told that
   * half of it caches pages, vacuum's memory, autovacuum on, room for several nodes' pools.
   */
  public static List<String> productionSettings(long machineBytes) {
    long mb = machineBytes / MB;
    return List.of(
        "shared_buffers = " + Math.max(128, Math.min(mb / 4, 8192)) + "MB",
        "effective_cache_size = " + Math.max(256, mb / 2) + "MB",
        "maintenance_work_mem = " + Math.max(64, Math.min(mb / 32, 1024)) + "MB",
        "autovacuum = on",
        "max_connections = 200");
  }

  /** The memory of this machine, as the operating system reports it. */
  public static long machineBytes() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
  }

  /**
   * Makes and starts a cluster on 127.0.0.1:{@code port} with {@link #productionSettings} for a
   * machine of {@code machineBytes}, then {@code extra} lines of postgresql.conf (later lines win).
   */
  public static BenchServer start(int port, long machineBytes, List<String> extra, PrintStream log) {
    Path bin = binDir();
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> settings = new ArrayList<>(productionSettings(machineBytes));
    settings.addAll(extra);
    Path data;
    try {
      data = Files.createTempDirectory("relais-bench-pg");
      if (root) {
        // initdb refuses to run as root: the cluster belongs to the postgres account
        run(List.of("chown", "postgres", data.toString()), "chown");
      }
    } catch (IOException e) {
      throw new IllegalStateException("Cannot make a data directory for the benchmark's PostgreSQL: " + e.getMessage(), e);
    }
    BenchServer server = new BenchServer(bin, data, port, settings, root);
    try {
      server.pg(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
          "--locale=C.UTF-8"), "initdb");
      List<String> conf = new ArrayList<>();
      conf.add("# the benchmark's own server (io.relais.bench.BenchServer)");
      conf.add("listen_addresses = '127.0.0.1'");
      conf.add("port = " + port);
      conf.add("unix_socket_directories = '" + data + "'");
      conf.addAll(settings);
      Files.write(data.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
      server.pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", data.resolve("server.log").toString(),
          "-w", "-t", "120", "start"), "pg_ctl start");
    } catch (IOException | RuntimeException e) {
      server.close();
      throw new IllegalStateException("Cannot start the benchmark's PostgreSQL: " + e.getMessage(), e);
    }
    log.println("PostgreSQL of the benchmark's own on 127.0.0.1:" + port + " (" + data + "): " + String.join(", ", settings));
    return server;
  }

  public int port() {
    return port;
  }

  public Path dataDirectory() {
    return data;
  }

  /** The postgresql.conf lines this server was given, in order. */
  public List<String> settings() {
    return settings;
  }

  /** The directory of the newest installed server's programs ({@code initdb}, {@code pg_ctl}). */
  static Path binDir() {
    try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions.map(v -> v.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")))
          .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
          .orElseThrow(() -> new IllegalStateException("No initdb under /usr/lib/postgresql/*/bin: install the PostgreSQL server"));
    } catch (IOException e) {
      throw new IllegalStateException("No PostgreSQL server installed (/usr/lib/postgresql): " + e.getMessage(), e);
    }
  }

  private static int versionOf(String dir) {
    try {
      return Integer.parseInt(dir);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void pg(List<String> command, String what) {
    List<String> full = new ArrayList<>();
    if (asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    run(full, what);
  }

  private static void run(List<String> command, String what) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(3, TimeUnit.MINUTES) || p.exitValue() != 0) {
        throw new IllegalStateException(what + " failed: " + output.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  /** Stops the server (fast shutdown) and deletes its data directory. */
  @Override
  public void close() {
    if (stopped) {
      return;
    }
    stopped = true;
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        pg(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "stop"), "pg_ctl stop");
      }
    } finally {
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        System.err.println("Could not delete " + data + ": " + e.getMessage());
      }
    }
  }
}
