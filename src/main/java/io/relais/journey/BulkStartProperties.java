package io.relais.journey;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code relais.bulk-starts.*}: how many journeys one request may start ({@code max-items},
 * default 1,000), how many share one engine command and transaction ({@code chunk-size}, default
 * 100: one flush of batched inserts per chunk instead of one per journey), and how long a start is
 * remembered so that a repeated request does not start it again ({@code retention}, default 7
 * days; older {@code journey_start} rows are removed nightly).
 */
@ConfigurationProperties("relais.bulk-starts")
public record BulkStartProperties(Integer maxItems, Integer chunkSize, Duration retention) {

  public BulkStartProperties {
    maxItems = maxItems == null ? 1000 : maxItems;
    chunkSize = chunkSize == null ? 100 : chunkSize;
    retention = retention == null ? Duration.ofDays(7) : retention;
    if (maxItems < 1 || chunkSize < 1) {
      throw new IllegalArgumentException("relais.bulk-starts.max-items and chunk-size must be positive");
    }
    if (retention.compareTo(Duration.ofHours(1)) < 0) {
      throw new IllegalArgumentException("relais.bulk-starts.retention must be at least PT1H: a backend repeats a timed-out request within minutes");
    }
  }
}
