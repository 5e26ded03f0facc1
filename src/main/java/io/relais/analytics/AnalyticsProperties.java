package io.relais.analytics;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Analytics settings ({@code relais.analytics.*}): how often the message projector runs, how far
 * back it re-reads to catch late commits, and the A/B test rules.
 */
@ConfigurationProperties("relais.analytics")
public record AnalyticsProperties(
    Duration projectorInterval,
    Duration projectorOverlap,
    Duration replyWindow,
    double alpha,
    long minSamplePerArm,
    boolean winnerTakesAll) {

  public AnalyticsProperties {
    projectorInterval = projectorInterval != null ? projectorInterval : Duration.ofSeconds(10);
    projectorOverlap = projectorOverlap != null ? projectorOverlap : Duration.ofMinutes(2);
    replyWindow = replyWindow != null ? replyWindow : Duration.ofDays(7);
    alpha = alpha > 0 ? alpha : 0.05;
    minSamplePerArm = minSamplePerArm > 0 ? minSamplePerArm : 100;
  }
}
