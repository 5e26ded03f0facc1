package io.relais.analytics;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The KPIs of one group (or of the whole filter): raw counts and the rates the product defines.
 * A rate whose denominator is zero is null, never 0 or NaN. Rates are fractions (0.0576 = 5.76 %);
 * times are in seconds; NPS is in points (−100 to 100); money in the orders' currency.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record KpiRow(
    String journey,
    String step,
    String channel,
    String segment,
    String variant,
    String period,
    long sent,
    long delivered,
    long failed,
    long openers,
    long clickers,
    long orders,
    long optOuts,
    long repliers,
    long repliersWhoOrdered,
    long handoffs,
    long npsResponses,
    long promoters,
    long detractors,
    /** Contacts an A/B test's holdout kept from this step (no message): the group the incremental effect is measured against. */
    long heldOut,
    BigDecimal revenue,
    BigDecimal cost,
    Double openRate,
    Double clickRate,
    Double orderRate,
    Double unsubscribeRate,
    Double revenuePerRecipient,
    Double replyRate,
    Double responseTimeMedianSeconds,
    Double responseTimeP90Seconds,
    Double agentFirstResponseMedianSeconds,
    Double agentFirstResponseP90Seconds,
    Double postReplyConversion,
    Double nps,
    Double returnOnCost) {

  /** The raw sums one SQL row gives; {@link #toRow} derives the rates. */
  record Counts(String journey, String step, String channel, String segment, String variant, String period,
      long sent, long delivered, long failed, long openers, long clickers, long orders, long optOuts, long repliers,
      long repliersWhoOrdered, long handoffs, long npsResponses, long promoters, long detractors, long heldOut,
      BigDecimal revenue, BigDecimal cost, Double replyDelayP50Ms, Double replyDelayP90Ms, Double agentDelayP50Ms,
      Double agentDelayP90Ms) {

    KpiRow toRow() {
      BigDecimal rev = revenue == null ? BigDecimal.ZERO : revenue;
      BigDecimal cst = cost == null ? BigDecimal.ZERO : cost;
      return new KpiRow(journey, step, channel, segment, variant, period, sent, delivered, failed, openers, clickers, orders,
          optOuts, repliers, repliersWhoOrdered, handoffs, npsResponses, promoters, detractors, heldOut, rev, cst,
          ratio(openers, delivered), ratio(clickers, delivered), ratio(orders, delivered), ratio(optOuts, delivered),
          delivered == 0 ? null : rev.divide(BigDecimal.valueOf(delivered), 6, RoundingMode.HALF_UP).doubleValue(),
          ratio(repliers, delivered), seconds(replyDelayP50Ms), seconds(replyDelayP90Ms), seconds(agentDelayP50Ms),
          seconds(agentDelayP90Ms), ratio(repliersWhoOrdered, repliers),
          npsResponses == 0 ? null : 100.0 * (promoters - detractors) / npsResponses,
          cst.signum() == 0 ? null : rev.divide(cst, 6, RoundingMode.HALF_UP).doubleValue());
    }
  }

  static Double ratio(long numerator, long denominator) {
    return denominator == 0 ? null : (double) numerator / denominator;
  }

  private static Double seconds(Double ms) {
    return ms == null ? null : ms / 1000.0;
  }
}
