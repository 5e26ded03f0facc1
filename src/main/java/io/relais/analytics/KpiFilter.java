package io.relais.analytics;

import io.relais.contact.Channel;
import java.time.Instant;

/** Which engagement events a KPI query covers, and how it groups them ({@code groupBy} null: one total row). */
public record KpiFilter(
    String journey, String step, Channel channel, String segment, String variant, Instant from, Instant to, GroupBy groupBy) {

  /** The dimensions a KPI table can be broken down by. */
  public enum GroupBy { JOURNEY, STEP, CHANNEL, SEGMENT, VARIANT, DAY, WEEK, MONTH }

  public static KpiFilter all() {
    return new KpiFilter(null, null, null, null, null, null, null, null);
  }

  public KpiFilter groupedBy(GroupBy g) {
    return new KpiFilter(journey, step, channel, segment, variant, from, to, g);
  }

  public KpiFilter forJourney(String j) {
    return new KpiFilter(j, step, channel, segment, variant, from, to, groupBy);
  }

  public KpiFilter forStep(String s) {
    return new KpiFilter(journey, s, channel, segment, variant, from, to, groupBy);
  }

  public KpiFilter forChannel(Channel c) {
    return new KpiFilter(journey, step, c, segment, variant, from, to, groupBy);
  }

  public KpiFilter forSegment(String s) {
    return new KpiFilter(journey, step, channel, s, variant, from, to, groupBy);
  }

  public KpiFilter forVariant(String v) {
    return new KpiFilter(journey, step, channel, segment, v, from, to, groupBy);
  }

  public KpiFilter between(Instant f, Instant t) {
    return new KpiFilter(journey, step, channel, segment, variant, f, t, groupBy);
  }
}
