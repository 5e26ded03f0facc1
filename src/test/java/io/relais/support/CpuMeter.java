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
    return new double[] {(jvmCpuNanos() - jvmStartNanos) / 1e6, millisBetween(pgStartTicks, pgTicks())};
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private Map<Integer, Long> pgTicks() {
    return ticksOf(jdbc.queryForList("select pid from pg_stat_activity where datname = current_database()", Integer.class));
  }

  /** CPU ticks of each of these processes (database backends); empty if one cannot be read. */
  public static Map<Integer, Long> ticksOf(List<Integer> pids) {
    Map<Integer, Long> ticks = new HashMap<>();
    for (int pid : pids) {
      long t = processTicks(pid);
      if (t < 0) {
        return Map.of();
      }
      ticks.put(pid, t);
    }
    return ticks;
  }

  /**
   * Milliseconds of CPU the processes used between two {@link #ticksOf} samples (a process that
   * appeared in between counts from zero); -1 if either sample is empty (unreadable).
   */
  public static double millisBetween(Map<Integer, Long> start, Map<Integer, Long> now) {
    if (start.isEmpty() || now.isEmpty()) {
      return -1;
    }
    long ticks = 0;
    for (var e : now.entrySet()) {
      ticks += e.getValue() - start.getOrDefault(e.getKey(), 0L);
    }
    return ticks * MS_PER_TICK;
  }

  /**
   * The whole machine's CPU ticks so far, summed over its cores, from /proc/stat: {busy, busy +
   * idle} (busy: user, nice, system, irq, softirq, steal; idle: idle and I/O wait); null if unreadable.
   * Between two samples, busy ÷ all × the number of cores says how many cores the machine kept busy.
   */
  public static long[] machineTicks() {
    try {
      String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = cpu.trim().split("\\s+");
      if (!f[0].equals("cpu") || f.length < 9) {
        return null;
      }
      long user = Long.parseLong(f[1]), nice = Long.parseLong(f[2]), system = Long.parseLong(f[3]);
      long idle = Long.parseLong(f[4]), iowait = Long.parseLong(f[5]), irq = Long.parseLong(f[6]);
      long softirq = Long.parseLong(f[7]), steal = Long.parseLong(f[8]);
      long busy = user + nice + system + irq + softirq + steal;
      return new long[] {busy, busy + idle + iowait};
    } catch (IOException | RuntimeException e) {
      return null;
    }
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
