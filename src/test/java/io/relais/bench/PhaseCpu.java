package io.relais.bench;

import io.relais.support.CpuMeter;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of a phase, split between the Relais node's JVM and the PostgreSQL backends of the
 * benchmark database (the benchmark's own analyze and polls included; the statement profile
 * gives their share), read from /proc: whether a phase is bound by the engine's Java side or by
 * the database, whatever else the machine runs. Linux, PostgreSQL on the same machine; otherwise
 * the database's share is unknown (-1).
 */
record PhaseCpu(long nodeTicks, Map<Integer, Long> backendTicks) {

  private static final double MS_PER_TICK = CpuMeter.MS_PER_TICK;

  static PhaseCpu sample(BenchDatabase db, long nodePid) {
    Map<Integer, Long> backends = new HashMap<>();
    try (Connection c = db.connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")) {
      while (rs.next()) {
        long t = CpuMeter.processTicks(rs.getInt(1));
        if (t < 0) {
          backends = null;
          break;
        }
        backends.put(rs.getInt(1), t);
      }
    } catch (SQLException e) {
      backends = null;
    }
    return new PhaseCpu(CpuMeter.processTicks(nodePid), backends);
  }

  /** Milliseconds of CPU since {@code start}: {node JVM, database backends} (-1 where unreadable). */
  double[] millisSince(PhaseCpu start) {
    double node = nodeTicks < 0 || start.nodeTicks < 0 ? -1 : (nodeTicks - start.nodeTicks) * MS_PER_TICK;
    if (backendTicks == null || start.backendTicks == null) {
      return new double[] {node, -1};
    }
    long ticks = 0;
    for (var e : backendTicks.entrySet()) {
      ticks += e.getValue() - start.backendTicks.getOrDefault(e.getKey(), 0L);
    }
    return new double[] {node, ticks * MS_PER_TICK};
  }
}
