package io.relais.analytics;

/**
 * The two-proportion z-test an A/B comparison rests on: pooled standard error for the z statistic
 * and its two-sided p-value, unpooled standard error for the confidence interval of p1 − p2.
 */
public final class TwoProportionTest {

  /** {@code difference} = p1 − p2; the interval is at 1 − alpha; null values when a sample is empty. */
  public record Result(long x1, long n1, long x2, long n2, Double p1, Double p2, Double difference, Double z,
      Double pValue, Double ciLow, Double ciHigh, boolean significant) {}

  private TwoProportionTest() {}

  public static Result compare(long x1, long n1, long x2, long n2, double alpha) {
    if (n1 == 0 || n2 == 0) {
      return new Result(x1, n1, x2, n2, KpiRow.ratio(x1, n1), KpiRow.ratio(x2, n2), null, null, null, null, null, false);
    }
    double p1 = (double) x1 / n1;
    double p2 = (double) x2 / n2;
    double pooled = (double) (x1 + x2) / (n1 + n2);
    double sePooled = Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    double diff = p1 - p2;
    Double z = sePooled == 0 ? null : diff / sePooled;
    Double p = z == null ? null : 2 * (1 - normalCdf(Math.abs(z)));
    double se = Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    double zCrit = normalQuantile(1 - alpha / 2);
    return new Result(x1, n1, x2, n2, p1, p2, diff, z, p, diff - zCrit * se, diff + zCrit * se, p != null && p < alpha);
  }

  /** Standard normal CDF through erf (Abramowitz and Stegun 7.1.26, error below 1.5e-7). */
  static double normalCdf(double x) {
    double t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.sqrt(2));
    double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    double erf = 1 - poly * Math.exp(-x * x / 2);
    return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
  }

  /** Inverse of {@link #normalCdf} by bisection: precise enough for confidence levels. */
  static double normalQuantile(double q) {
    double lo = -10;
    double hi = 10;
    for (int i = 0; i < 100; i++) {
      double mid = (lo + hi) / 2;
      if (normalCdf(mid) < q) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return (lo + hi) / 2;
  }
}
