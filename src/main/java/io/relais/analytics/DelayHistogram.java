package io.relais.analytics;

import java.util.Arrays;

/**
 * A log-bucket histogram of delays (milliseconds) from which percentiles are read with a bounded
 * relative error: the summary keeps one per row and kind (customer reply, agent first response),
 * and a query merges the rows' histograms by adding their counts.
 *
 * <p>Bucket {@code i ≥ 1} holds the delays {@code d} with {@code γ^(i-2) < d ≤ γ^(i-1)}, bucket 0
 * the zero (and negative, clock skew) delays; {@code γ = (1 + α) / (1 − α)} with {@code α = 5 %}.
 * A bucket stands for {@code 2 γ^(i-1) / (γ + 1)}, within {@link #RELATIVE_ERROR} of every delay it
 * holds. A percentile is computed like PostgreSQL's {@code percentile_cont} (linear interpolation
 * between the two order statistics around {@code p (n − 1)}), each order statistic replaced by its
 * bucket's value: both are within α of the true ones and of the same sign, so their interpolation
 * is within α of the exact percentile. 1 ms to 7 days spans 205 buckets.
 */
public final class DelayHistogram {

  /** The bound on |approximate − exact| / exact of every percentile (delays ≥ 0). */
  public static final double RELATIVE_ERROR = 0.05;
  static final double GAMMA = (1 + RELATIVE_ERROR) / (1 - RELATIVE_ERROR);
  private static final double LOG_GAMMA = Math.log(GAMMA);

  private long[] counts = new long[0];
  private long total;

  /** The bucket of a delay in milliseconds (the SQL rebuild computes the same, see {@link #SQL_BUCKET}). */
  public static int bucket(long delayMs) {
    if (delayMs <= 0) {
      return 0;
    }
    int i = (int) Math.ceil(Math.log(delayMs) / LOG_GAMMA);
    // Floating point at a bucket's edge: settle on γ^(i-1) < d ≤ γ^i exactly as doubles allow.
    while (i > 0 && Math.pow(GAMMA, i - 1) >= delayMs) {
      i--;
    }
    while (Math.pow(GAMMA, i) < delayMs) {
      i++;
    }
    return i + 1;
  }

  /**
   * The bucket in SQL, for a column {@code delay_ms} (PostgreSQL and H2): the same formula; at
   * the rare edge where rounding differs from {@link #bucket} by one, the delay's value is still within
   * α plus a rounding error of its bucket's.
   */
  static final String SQL_BUCKET =
      "case when delay_ms <= 0 then 0 else cast(ceiling(ln(cast(delay_ms as double precision)) / " + LOG_GAMMA + ") as int) + 1 end";

  /** The value a bucket stands for (ms). */
  public static double value(int bucket) {
    return bucket == 0 ? 0 : 2 * Math.pow(GAMMA, bucket - 1) / (GAMMA + 1);
  }

  public DelayHistogram add(int bucket, long count) {
    if (count == 0) {
      return this;
    }
    if (bucket >= counts.length) {
      counts = Arrays.copyOf(counts, Math.max(bucket + 1, counts.length * 2));
    }
    counts[bucket] += count;
    total += count;
    return this;
  }

  public DelayHistogram addDelay(long delayMs) {
    return add(bucket(delayMs), 1);
  }

  public DelayHistogram merge(DelayHistogram other) {
    for (int i = 0; i < other.counts.length; i++) {
      add(i, other.counts[i]);
    }
    return this;
  }

  public long count() {
    return total;
  }

  /** The p-th percentile (0 ≤ p ≤ 1) as {@code percentile_cont} would give it, within α; null when empty. */
  public Double percentile(double p) {
    if (total == 0) {
      return null;
    }
    double position = p * (total - 1);
    long lo = (long) Math.floor(position);
    long hi = (long) Math.ceil(position);
    double low = valueAt(lo);
    double high = hi == lo ? low : valueAt(hi);
    return low + (position - lo) * (high - low);
  }

  /** The value of the k-th smallest delay (0-based). */
  private double valueAt(long k) {
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen > k) {
        return value(i);
      }
    }
    throw new IllegalStateException("rank " + k + " of " + total);
  }
}
