package io.relais.journey;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code relais.bulk-starts.*}: how many journeys one request may start ({@code max-items},
 * default 1,000) and how many share one engine command and transaction ({@code chunk-size},
 * default 100: one flush of batched inserts per chunk instead of one per journey).
 */
@ConfigurationProperties("relais.bulk-starts")
public record BulkStartProperties(Integer maxItems, Integer chunkSize) {

  public BulkStartProperties {
    maxItems = maxItems == null ? 1000 : maxItems;
    chunkSize = chunkSize == null ? 100 : chunkSize;
    if (maxItems < 1 || chunkSize < 1) {
      throw new IllegalArgumentException("relais.bulk-starts.max-items and chunk-size must be positive");
    }
  }
}
