package io.relais.analytics;

import java.util.LinkedHashMap;
import java.util.Map;

/** The seed's Klaviyo 2025 SMS benchmarks, shown beside each KPI (rates as fractions, revenue in €). */
public final class Benchmarks {

  /** {@code lowerIsBetter}: for the unsubscribe rate the top 10 % are the lowest. */
  public record Benchmark(Double average, Double top10, boolean lowerIsBetter, String note) {}

  public static final Map<String, Benchmark> SMS = benchmarks();

  private static Map<String, Benchmark> benchmarks() {
    Map<String, Benchmark> m = new LinkedHashMap<>();
    m.put("clickRate", new Benchmark(0.0576, 0.1489, false, null));
    m.put("orderRate", new Benchmark(0.0010, 0.0064, false, null));
    m.put("unsubscribeRate", new Benchmark(0.0123, 0.0027, true, null));
    m.put("revenuePerRecipient", new Benchmark(0.10, 0.75, false, null));
    m.put("replyRate", new Benchmark(0.15, 0.45, false, "15–45 % (conversationnel)"));
    return Map.copyOf(m);
  }

  private Benchmarks() {}
}
