package io.relais.bench;

import io.relais.support.CpuMeter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * CPU time of a phase, split between the Relais node's JVM and the PostgreSQL backends of the
 * benchmark database (the benchmark's own analyze and polls included; the statement profile
 * gives their share), read from /proc: whether a phase is bound by the engine's Java side or by
 * the database, whatever else the machine runs. Linux, PostgreSQL on the same machine; otherwise
 * the database's share is unknown (-1). Also the benchmark client's own CPU (this JVM: its HTTP
 * requests and polls run on the same machine) and how many of the machine's cores were busy.
 */
record PhaseCpu(long nodeTicks, Map<Integer, Long> compilerTicks, Map<Integer, Long> backendTicks, long clientTicks, CpuMeter.MachineTicks machineTicks) {

  static PhaseCpu sample(BenchDatabase db, long nodePid) {
    List<Integer> pids = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")) {
      while (rs.next()) {
        pids.add(rs.getInt(1));
      }
    } catch (SQLException e) {
      return new PhaseCpu(CpuMeter.processTicks(nodePid), CpuMeter.compilerThreadTicks(nodePid), Map.of(), client(), CpuMeter.machineTicks());
    }
    return new PhaseCpu(CpuMeter.processTicks(nodePid), CpuMeter.compilerThreadTicks(nodePid), CpuMeter.ticksOf(pids), client(),
        CpuMeter.machineTicks());
  }

  private static long client() {
    return CpuMeter.processTicks(ProcessHandle.current().pid());
  }

  /** Milliseconds of CPU since {@code start}: {node JVM, database backends} (-1 where unreadable). */
  double[] millisSince(PhaseCpu start) {
    double node = nodeTicks < 0 || start.nodeTicks < 0 ? -1 : (nodeTicks - start.nodeTicks) * CpuMeter.MS_PER_TICK;
    return new double[] {node, CpuMeter.millisBetween(start.backendTicks, backendTicks)};
  }

  /**
   * Milliseconds of CPU the node's JIT compiler threads used since {@code start} (part of the
   * node's): how much of a phase went to compiling the code rather than running it; -1 if unreadable.
   */
  double compilerMillisSince(PhaseCpu start) {
    return CpuMeter.millisBetween(start.compilerTicks, compilerTicks);
  }

  /** Milliseconds of CPU the benchmark's client (this JVM) used since {@code start}; -1 if unreadable. */
  double clientMillisSince(PhaseCpu start) {
    return clientTicks < 0 || start.clientTicks < 0 ? -1 : (clientTicks - start.clientTicks) * CpuMeter.MS_PER_TICK;
  }

  /** How many of the machine's cores were busy on average since {@code start}; NaN if unreadable. */
  double busyCoresSince(PhaseCpu start) {
    return machineTicks == null || start.machineTicks == null ? Double.NaN : machineTicks.busyCoresSince(start.machineTicks);
  }

  /** The machine's cores (/proc/stat), 0 if unreadable. */
  int machineCores() {
    return machineTicks == null ? 0 : machineTicks.cpus();
  }
}
