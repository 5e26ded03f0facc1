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
   * The whole machine's CPU ticks so far, summed over its cores ({@code cpus}, the {@code cpuN}
   * lines of /proc/stat, not this JVM's available processors, which a container may limit): busy
   * (user, nice, system, irq, softirq, steal) and all (busy, idle and I/O wait).
   */
  public record MachineTicks(long busy, long all, int cpus) {

    /** How many cores were busy on average since {@code start}; NaN without time in between. */
    public double busyCoresSince(MachineTicks start) {
      return all > start.all ? (busy - start.busy) / (double) (all - start.all) * cpus : Double.NaN;
    }
  }

  /** The machine's ticks from /proc/stat; null if unreadable. */
  public static MachineTicks machineTicks() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      if (!f[0].equals("cpu") || f.length < 9) {
        return null;
      }
      long[] v = new long[9];
      for (int i = 1; i < 9; i++) {
        v[i] = Long.parseLong(f[i]);
      }
      long busy = v[1] + v[2] + v[3] + v[6] + v[7] + v[8]; // user nice system . . irq softirq steal
      int cpus = (int) lines.stream().filter(l -> l.matches("cpu\\d+\\s.*")).count();
      return cpus == 0 ? null : new MachineTicks(busy, busy + v[4] + v[5], cpus); // + idle iowait
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * CPU ticks of each JIT compiler thread of a JVM by thread id ({@code C1 CompilerThread*}, {@code
   * C2 CompilerThread*}, as /proc names them); empty if unreadable. Compare two readings with
   * {@link #millisBetween}: a thread started in between counts from zero, and one that ended
   * (HotSpot ends idle compiler threads beyond the first of each kind) takes its ticks with it, so
   * the difference can only be less than what the compiler used.
   */
  public static Map<Integer, Long> compilerThreadTicks(long pid) {
    Map<Integer, Long> ticks = new HashMap<>();
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) {
            ticks.put(Integer.parseInt(task.getFileName().toString()), ticksOfStat(stat));
          }
        } catch (IOException e) {
          // the thread ended between the listing and the read
        }
      }
      return ticks;
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
  }

  /** CPU a process used so far, user and system, in clock ticks ({@link #MS_PER_TICK} ms); -1 if unreadable. */
  public static long processTicks(long pid) {
    try {
      return ticksOfStat(Files.readString(Path.of("/proc/" + pid + "/stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** User and system ticks of a process or thread from its /proc stat line (fields 14 and 15, after the command's name). */
  private static long ticksOfStat(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }
}
