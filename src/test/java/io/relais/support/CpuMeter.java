package io.relais.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * CPU used by this JVM and by the PostgreSQL backends serving one database, between two
 * samples: a benchmark's cost per operation that does not depend on what else the shared machine
 * runs (wall-clock throughput does). PostgreSQL's share is read from /proc (same machine, Linux);
 * where it cannot be read it is reported as -1.
 */
public final class CpuMeter {

  public static final double MS_PER_TICK = 10.0; // USER_HZ = 100 on Linux

  private final JdbcTemplate jdbc;
  private final long jvmStartNanos;
  private final Map<Integer, Long> pgStartTicks;

  private CpuMeter(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.jvmStartNanos = jvmCpuNanos();
    this.pgStartTicks = pgTicks();
  }

  public static CpuMeter start(JdbcTemplate jdbc) {
    return new CpuMeter(jdbc);
  }

  /** Milliseconds of CPU since the start: {jvm, postgres} (postgres -1 if unreadable). */
  public double[] elapsedMillis() {
    double jvm = (jvmCpuNanos() - jvmStartNanos) / 1e6;
    Map<Integer, Long> now = pgTicks();
    if (now.isEmpty()) {
      return new double[] {jvm, -1};
    }
    long ticks = 0;
    for (var e : now.entrySet()) {
      ticks += e.getValue() - pgStartTicks.getOrDefault(e.getKey(), 0L);
    }
    return new double[] {jvm, ticks * MS_PER_TICK};
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private Map<Integer, Long> pgTicks() {
    Map<Integer, Long> ticks = new HashMap<>();
    List<Integer> pids = jdbc.queryForList(
        "select pid from pg_stat_activity where datname = current_database()", Integer.class);
    for (int pid : pids) {
      long t = processTicks(pid);
      if (t < 0) {
        return Map.of();
      }
      ticks.put(pid, t);
    }
    return ticks;
  }

  /** CPU a process used so far, user and system, in clock ticks ({@link #MS_PER_TICK} ms); -1 if unreadable. */
  public static long processTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
