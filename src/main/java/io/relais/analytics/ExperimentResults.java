package io.relais.analytics;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * Reads A/B tests from the engagement events: per variant of a step, delivered and converted
 * (click, reply or order), each challenger against the control with a two-proportion z-test, a
 * winner once significant with the minimum sample in every arm, and the holdout's incremental effect.
 */
@Service
public class ExperimentResults {

  /** The conversion a test compares. */
  public enum Metric { CLICK, REPLY, ORDER }

  public record Arm(String variant, long delivered, long conversions, Double rate) {}

  public record Comparison(String control, String challenger, TwoProportionTest.Result test) {}

  /**
   * Contacts who ordered within the click window after being held out, versus after a delivery;
   * {@code incrementalEffect} is the difference of the two rates (what the messages added).
   */
  public record Holdout(long heldOut, long heldOutConverted, Double heldOutRate, long treated, long treatedConverted,
      Double treatedRate, Double incrementalEffect, TwoProportionTest.Result test) {}

  public record Experiment(String journey, String step, Metric metric, List<Arm> arms, List<Comparison> comparisons,
      boolean minSampleReached, String winner, Holdout holdout) {}

  private record CachedWinner(Optional<String> winner, Instant at) {}

  private final JdbcTemplate jdbc;
  private final KpiRepository kpis;
  private final AnalyticsProperties properties;
  private final AttributionProperties windows;
  private final Clock clock;
  private final Map<String, CachedWinner> winners = new ConcurrentHashMap<>();

  public ExperimentResults(JdbcTemplate jdbc, KpiRepository kpis, AnalyticsProperties properties, AttributionProperties windows,
      Clock clock) {
    this.jdbc = jdbc;
    this.kpis = kpis;
    this.properties = properties;
    this.windows = windows;
    this.clock = clock;
  }

  /** Every step that has two variants or more (optionally one journey or step), oldest evidence included. */
  public List<Experiment> experiments(String journey, String step, Metric metric, Instant from, Instant to) {
    // From the daily summary: a step is a test once two arms (the holdout included) have reached contacts.
    StringBuilder sql = new StringBuilder(
        "select journey_key, step_id from kpi_daily where journey_key <> '' and step_id <> '' and variant <> '' and (delivered > 0 or held_out > 0) ");
    List<Object> args = new ArrayList<>();
    if (journey != null) {
      sql.append("and journey_key = ? ");
      args.add(journey);
    }
    if (step != null) {
      sql.append("and step_id = ? ");
      args.add(step);
    }
    sql.append("group by journey_key, step_id having count(distinct variant) >= 2 order by journey_key, step_id");
    List<String[]> steps = jdbc.query(sql.toString(), (rs, n) -> new String[] {rs.getString(1), rs.getString(2)}, args.toArray());
    List<Experiment> out = new ArrayList<>();
    for (String[] s : steps) {
      out.add(experiment(s[0], s[1], metric, from, to));
    }
    return out;
  }

  public Experiment experiment(String journey, String step, Metric metric, Instant from, Instant to) {
    KpiFilter filter = KpiFilter.all().forJourney(journey).forStep(step).between(from, to).groupedBy(KpiFilter.GroupBy.VARIANT);
    List<Arm> arms = new ArrayList<>();
    for (KpiRow row : kpis.query(filter)) {
      if (row.variant() == null || Experiments.HOLDOUT.equals(row.variant()) || row.delivered() == 0) {
        continue;
      }
      long conversions = switch (metric) {
        case CLICK -> row.clickers();
        case REPLY -> row.repliers();
        case ORDER -> row.orders();
      };
      arms.add(new Arm(row.variant(), row.delivered(), conversions, KpiRow.ratio(conversions, row.delivered())));
    }
    // The control is the arm named A (or control), else the first by name.
    Arm control = arms.stream().filter(a -> a.variant().equalsIgnoreCase("A") || a.variant().equalsIgnoreCase("control"))
        .findFirst().orElse(arms.isEmpty() ? null : arms.get(0));
    List<Comparison> comparisons = new ArrayList<>();
    for (Arm arm : arms) {
      if (arm != control) {
        comparisons.add(new Comparison(control.variant(), arm.variant(),
            TwoProportionTest.compare(arm.conversions(), arm.delivered(), control.conversions(), control.delivered(), properties.alpha())));
      }
    }
    boolean sample = arms.size() >= 2 && arms.stream().allMatch(a -> a.delivered() >= properties.minSamplePerArm());
    return new Experiment(journey, step, metric, arms, comparisons, sample, sample ? winner(arms) : null,
        holdout(journey, step, from, to));
  }

  /** The best arm, if it beats every other arm significantly. */
  private String winner(List<Arm> arms) {
    Arm best = arms.stream().max(Comparator.comparingDouble(a -> a.rate() == null ? -1 : a.rate())).orElseThrow();
    for (Arm other : arms) {
      if (other != best) {
        TwoProportionTest.Result t = TwoProportionTest.compare(best.conversions(), best.delivered(), other.conversions(),
            other.delivered(), properties.alpha());
        if (!t.significant() || t.difference() <= 0) {
          return null;
        }
      }
    }
    return best.variant();
  }

  private Holdout holdout(String journey, String step, Instant from, Instant to) {
    long[] held = converted("HELD_OUT", journey, step, from, to);
    if (held[0] == 0) {
      return null;
    }
    long[] treated = converted("DELIVERED", journey, step, from, to);
    Double heldRate = KpiRow.ratio(held[1], held[0]);
    Double treatedRate = KpiRow.ratio(treated[1], treated[0]);
    return new Holdout(held[0], held[1], heldRate, treated[0], treated[1], treatedRate,
        treatedRate == null ? null : treatedRate - heldRate,
        TwoProportionTest.compare(treated[1], treated[0], held[1], held[0], properties.alpha()));
  }

  /** [contacts, contacts with an order within the click window after the event]. */
  private long[] converted(String type, String journey, String step, Instant from, Instant to) {
    Duration window = windows.clickWindow();
    Set<String> contacts = new HashSet<>();
    Set<String> buyers = new HashSet<>();
    jdbc.query(
        "select e.contact_id, e.occurred_at, o.placed_at from engagement_event e left join customer_order o "
            + "on o.contact_id = e.contact_id and o.placed_at >= e.occurred_at "
            + "where e.event_type = ? and e.journey_key = ? and e.step_id = ? and e.occurred_at >= ? and e.occurred_at < ?",
        rs -> {
          String contact = rs.getString(1);
          contacts.add(contact);
          Timestamp placed = rs.getTimestamp(3);
          if (placed != null && !placed.toInstant().isAfter(rs.getTimestamp(2).toInstant().plus(window))) {
            buyers.add(contact);
          }
        },
        type, journey, step, Timestamp.from(from == null ? Instant.EPOCH : from),
        Timestamp.from(to == null ? Instant.parse("9999-01-01T00:00:00Z") : to));
    return new long[] {contacts.size(), buyers.size()};
  }

  /** The declared winner on the click rate, recomputed at most once a minute per node. */
  Optional<String> cachedWinner(String journey, String step) {
    String key = journey + ":" + step;
    Instant now = clock.instant();
    CachedWinner cached = winners.get(key);
    if (cached == null || cached.at().isBefore(now.minusSeconds(60)) || cached.at().isAfter(now)) {
      cached = new CachedWinner(Optional.ofNullable(experiment(journey, step, Metric.CLICK, null, null).winner()), now);
      winners.put(key, cached);
    }
    return cached.winner();
  }

}
