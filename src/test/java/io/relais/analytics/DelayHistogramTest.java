package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The delay histograms: bucket bounds, the merge, and percentiles within the documented error of the exact ones. */
class DelayHistogramTest {

  static final double ALPHA = DelayHistogram.RELATIVE_ERROR;

  /** PostgreSQL's percentile_cont: linear interpolation between the order statistics around p (n − 1). */
  static double percentileCont(long[] sorted, double p) {
    double position = p * (sorted.length - 1);
    int lo = (int) Math.floor(position);
    int hi = (int) Math.ceil(position);
    return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
  }

  @Test
  void everyDelayIsWithinFivePercentOfItsBucketsValue() {
    assertThat(DelayHistogram.value(DelayHistogram.bucket(0))).isZero();
    for (long d = 1; d < 2_000_000; d += 1 + d / 97) {
      double v = DelayHistogram.value(DelayHistogram.bucket(d));
      assertThat(Math.abs(v - d)).as("delay %d ms: %s", d, v).isLessThanOrEqualTo(ALPHA * d * (1 + 1e-12));
    }
    // Buckets are ordered like the delays; a week (the reply window) is bucket 204.
    assertThat(DelayHistogram.bucket(604_800_000L)).isEqualTo(204);
    long previous = 0;
    for (long d = 0; d < 10_000_000L; d += 1 + d / 50) {
      assertThat(DelayHistogram.bucket(d)).isGreaterThanOrEqualTo((int) previous);
      previous = DelayHistogram.bucket(d);
    }
  }

  @Test
  void aHandComputedHistogram() {
    // 1,000 ms and 10,000 ms, γ = 1.05 / 0.95: 1,000 lies in (γ^69, γ^70] = (998.0, 1,103.1], bucket 71,
    // standing for 2 γ^70 / (γ + 1) = 1,047.9 ms; 10,000 in (γ^92, γ^93] = (9,973.4, 11,023.2], bucket 94,
    // 10,472.0 ms. Median: half way, 5,760.0 ms (exact: 5,500, so 4.7 % off).
    DelayHistogram h = new DelayHistogram().addDelay(1_000).addDelay(10_000);
    assertThat(DelayHistogram.bucket(1_000)).isEqualTo(71);
    assertThat(DelayHistogram.bucket(10_000)).isEqualTo(94);
    assertThat(h.percentile(0.0)).isCloseTo(1_047.9, within(0.1));
    assertThat(h.percentile(1.0)).isCloseTo(10_472.0, within(0.1));
    assertThat(h.percentile(0.5)).isCloseTo(5_760.0, within(0.1));
    assertThat(new DelayHistogram().percentile(0.5)).isNull();
    assertThat(new DelayHistogram().addDelay(0).addDelay(0).percentile(0.9)).isZero();
  }

  @Test
  void mergedHistogramsGiveTheWholesPercentilesWithinTheBound() {
    Random random = new Random(29112026L);
    for (int trial = 0; trial < 200; trial++) {
      int parts = 1 + random.nextInt(30);
      int n = 1 + random.nextInt(trial < 100 ? 20 : 5_000);
      long[] all = new long[n];
      DelayHistogram[] histograms = new DelayHistogram[parts];
      Arrays.setAll(histograms, i -> new DelayHistogram());
      for (int i = 0; i < n; i++) {
        // Skewed delays, seconds to days, some zero: like replies.
        long d = random.nextInt(50) == 0 ? 0 : (long) Math.exp(random.nextDouble() * Math.log(7L * 24 * 3600 * 1000));
        all[i] = d;
        histograms[random.nextInt(parts)].addDelay(d);
      }
      DelayHistogram merged = new DelayHistogram();
      for (DelayHistogram h : histograms) {
        merged.merge(h);
      }
      assertThat(merged.count()).isEqualTo(n);
      Arrays.sort(all);
      for (double p : List.of(0.0, 0.1, 0.5, 0.9, 0.99, 1.0)) {
        double exact = percentileCont(all, p);
        double approximate = merged.percentile(p);
        assertThat(Math.abs(approximate - exact)).as("trial %d, n %d, p %s: %s against %s", trial, n, p, approximate, exact)
            .isLessThanOrEqualTo(ALPHA * exact * (1 + 1e-12));
      }
    }
  }

  @Test
  void theSqlBucketFormulaAgreesWithJava() {
    // Same expression as SQL_BUCKET, evaluated with Java's doubles: the one the rebuild and the raw edges use.
    double logGamma = Math.log(DelayHistogram.GAMMA);
    int differ = 0;
    for (long d = 1; d < 5_000_000; d += 1 + d / 200) {
      int sql = (int) Math.ceil(Math.log((double) d) / logGamma) + 1;
      if (sql != DelayHistogram.bucket(d)) {
        differ++;
        assertThat(Math.abs(sql - DelayHistogram.bucket(d))).isEqualTo(1);
      }
    }
    assertThat(differ).isLessThan(3);
  }

  @Test
  void spansTakeWholeMonthsFromTheMonthlySummaryAndTheRestFromTheDailyOne() {
    LocalDate jan3 = LocalDate.of(2025, 1, 3);
    LocalDate mar1 = LocalDate.of(2025, 3, 1);
    LocalDate apr17 = LocalDate.of(2025, 4, 17);
    assertThat(KpiRepository.spans(jan3, apr17, true)).containsExactly(
        new KpiRepository.Span(false, jan3, LocalDate.of(2025, 2, 1)),
        new KpiRepository.Span(true, LocalDate.of(2025, 2, 1), LocalDate.of(2025, 4, 1)),
        new KpiRepository.Span(false, LocalDate.of(2025, 4, 1), apr17));
    assertThat(KpiRepository.spans(mar1, LocalDate.of(2025, 4, 1), true)).containsExactly(new KpiRepository.Span(true, mar1,
        LocalDate.of(2025, 4, 1)));
    assertThat(KpiRepository.spans(jan3, LocalDate.of(2025, 1, 30), true)).containsExactly(
        new KpiRepository.Span(false, jan3, LocalDate.of(2025, 1, 30)));
    assertThat(KpiRepository.spans(null, null, true)).containsExactly(new KpiRepository.Span(true, null, null));
    assertThat(KpiRepository.spans(null, apr17, true)).containsExactly(new KpiRepository.Span(true, null, LocalDate.of(2025, 4, 1)),
        new KpiRepository.Span(false, LocalDate.of(2025, 4, 1), apr17));
    assertThat(KpiRepository.spans(jan3, apr17, false)).containsExactly(new KpiRepository.Span(false, jan3, apr17));
  }
}
