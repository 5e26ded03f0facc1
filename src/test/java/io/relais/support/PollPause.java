package io.relais.support;

/**
 * The pause between two progress polls of a benchmark. A poll is load on the database being
 * measured (a count over a history table of millions of rows is a sequential scan of 0.1 s or
 * more), so the pause is at least {@link #FACTOR} times the poll's own duration: the polls take at
 * most 1/(1 + factor) of one backend, whatever the tables' size.
 */
public final class PollPause {

  public static final long FACTOR = 20;

  private PollPause() {}

  /** Milliseconds to wait after a poll that took {@code pollNanos}: at least {@code floorMillis}. */
  public static long after(long pollNanos, long floorMillis) {
    return Math.max(floorMillis, pollNanos * FACTOR / 1_000_000);
  }
}
