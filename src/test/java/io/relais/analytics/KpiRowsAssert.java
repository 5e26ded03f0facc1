package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.function.Function;

/**
 * The comparison of a KPI answer with the raw-event computation ({@link KpiRepository#queryRaw}):
 * every count, sum and rate equal, the response-time percentiles (from the delay histograms when
 * the period has whole days) within {@link DelayHistogram#RELATIVE_ERROR} of the exact ones, and
 * null exactly when those are.
 */
final class KpiRowsAssert {

  static final String[] PERCENTILES = {"responseTimeMedianSeconds", "responseTimeP90Seconds",
      "agentFirstResponseMedianSeconds", "agentFirstResponseP90Seconds"};
  private static final List<Function<KpiRow, Double>> GETTERS = List.of(KpiRow::responseTimeMedianSeconds,
      KpiRow::responseTimeP90Seconds, KpiRow::agentFirstResponseMedianSeconds, KpiRow::agentFirstResponseP90Seconds);

  private KpiRowsAssert() {}

  /** Same rows in the same order; returns the largest relative error of a percentile seen. */
  static double assertSameKpis(List<KpiRow> actual, List<KpiRow> raw, Object description) {
    double worst = 0;
    assertThat(actual).as("%s", description).usingRecursiveFieldByFieldElementComparatorIgnoringFields(PERCENTILES)
        .containsExactlyElementsOf(raw);
    for (int i = 0; i < raw.size(); i++) {
      for (int p = 0; p < GETTERS.size(); p++) {
        Double exact = GETTERS.get(p).apply(raw.get(i));
        Double approximate = GETTERS.get(p).apply(actual.get(i));
        String what = description + ", row " + i + ", " + PERCENTILES[p];
        if (exact == null) {
          assertThat(approximate).as(what).isNull();
        } else {
          assertThat(approximate).as(what).isNotNull();
          // The bound, plus floating point's rounding (ms to seconds, logarithms): nothing looser.
          assertThat(Math.abs(approximate - exact)).as(what + ": %s against exact %s", approximate, exact)
              .isLessThanOrEqualTo(DelayHistogram.RELATIVE_ERROR * Math.abs(exact) * (1 + 1e-9) + 1e-9);
          if (exact != 0) {
            worst = Math.max(worst, Math.abs(approximate - exact) / Math.abs(exact));
          }
        }
      }
    }
    return worst;
  }
}
