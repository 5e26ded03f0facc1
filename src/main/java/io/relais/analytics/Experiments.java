package io.relais.analytics;

import io.relais.contact.Channel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * A/B assignment (bean {@code experiments}): which variant of a send step a contact gets, from a
 * hash of contact and step, so the same contact re-entering gets the same variant on every node
 * without storing anything. A variant named {@code HOLDOUT} gets no message (incremental effect).
 * With {@code relais.analytics.winner-takes-all}, once a winner is declared every non-holdout
 * contact gets it.
 */
@Component("experiments")
public class Experiments {

  public static final String HOLDOUT = "HOLDOUT";

  /** One arm and its share of traffic (weights need not add up to 100). */
  public record VariantWeight(String name, double weight) {}

  private final EngagementEvents events;
  private final ExperimentResults results;
  private final AnalyticsProperties properties;

  public Experiments(EngagementEvents events, ExperimentResults results, AnalyticsProperties properties) {
    this.events = events;
    this.results = results;
    this.properties = properties;
  }

  /**
   * For BPMN expressions and delegates: {@code stepKey} is {@code journeyKey:stepId}; {@code
   * variants} is a string {@code "A:50,B:40,HOLDOUT:10"} (or {@code =}), a map name → weight, or a
   * list of {@link VariantWeight}. Records HELD_OUT when the contact falls in the holdout.
   */
  public String assign(String contactId, String stepKey, Object variants) {
    String[] journeyAndStep = split(stepKey);
    return assign(contactId, journeyAndStep[0], null, journeyAndStep[1], null, variants, null);
  }

  /**
   * The arm this contact gets at this step; the one picker of Relais (the send step asks it, the
   * results count what it answered). The draw is deterministic per contact and step; a contact
   * drawn into {@code HOLDOUT} stays there (and HELD_OUT is recorded once, with the step's
   * journey, version and channel); the others get the declared winner (click rate) once there is
   * one if {@code winnerTakesAll} is true (null: {@code relais.analytics.winner-takes-all}).
   */
  public String assign(String contactId, String journeyKey, Integer journeyVersion, String stepId, Channel channel,
      Object variants, Boolean winnerTakesAll) {
    List<VariantWeight> arms = parse(variants);
    String stepKey = journeyKey == null ? stepId : journeyKey + ":" + stepId;
    String variant = pick(contactId, stepKey, arms);
    if (HOLDOUT.equals(variant)) {
      events.record(EngagementEvent.of(EngagementType.HELD_OUT, contactId)
          .journey(journeyKey, journeyVersion, stepId)
          .channel(channel)
          .variant(HOLDOUT)
          .dedupKey("holdout:" + contactId + ":" + stepKey));
      return variant;
    }
    boolean takesAll = winnerTakesAll != null ? winnerTakesAll : properties.winnerTakesAll();
    if (takesAll && journeyKey != null) {
      Optional<String> winner = results.cachedWinner(journeyKey, stepId);
      if (winner.isPresent() && arms.stream().anyMatch(a -> a.name().equals(winner.get()))) {
        return winner.get();
      }
    }
    return variant;
  }

  /**
   * For a send step's expression, {@code ${experiments.forStep(execution, variants)}}: the contact
   * is the business key, the step key is {@code processDefinitionKey:activityId}.
   */
  public String forStep(DelegateExecution execution, Object variants) {
    String journeyKey = execution.getProcessDefinitionId().split(":")[0];
    return assign(execution.getProcessBusinessKey(), journeyKey + ":" + execution.getCurrentActivityId(), variants);
  }

  /** The deterministic draw: a uniform number from SHA-256(contact, step) walked along the weights. */
  static String pick(String contactId, String stepKey, List<VariantWeight> arms) {
    if (arms.isEmpty()) {
      throw new IllegalArgumentException("An experiment needs at least one variant with a positive weight");
    }
    double total = arms.stream().mapToDouble(VariantWeight::weight).sum();
    double u = uniform(contactId + "\u0000" + stepKey) * total;
    double acc = 0;
    for (VariantWeight arm : arms) {
      acc += arm.weight();
      if (u < acc) {
        return arm.name();
      }
    }
    return arms.get(arms.size() - 1).name();
  }

  static double uniform(String key) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      long bits = 0;
      for (int i = 0; i < 8; i++) {
        bits = (bits << 8) | (h[i] & 0xff);
      }
      return (bits >>> 11) / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<VariantWeight> parse(Object variants) {
    List<VariantWeight> arms = new ArrayList<>();
    if (variants instanceof String s) {
      for (String part : s.split(",")) {
        String[] kv = part.trim().split("[:=]");
        if (kv[0].isBlank()) {
          continue;
        }
        arms.add(arm(kv[0], kv.length > 1 ? Double.parseDouble(kv[1].trim()) : 1));
      }
    } else if (variants instanceof Map<?, ?> map) {
      map.forEach((k, v) -> arms.add(arm(k.toString(), ((Number) v).doubleValue())));
    } else if (variants instanceof Collection<?> list) {
      for (Object o : list) {
        if (o instanceof VariantWeight w) {
          arms.add(arm(w.name(), w.weight()));
        } else if (o instanceof Map<?, ?> m) {
          arms.add(arm(String.valueOf(m.get("name")), m.get("weight") == null ? 1 : ((Number) m.get("weight")).doubleValue()));
        } else if (o != null) {
          arms.add(arm(o.toString(), 1));
        }
      }
    } else {
      throw new IllegalArgumentException("variants must be \"A:50,B:50\", a map name -> weight, or a list; got " + variants);
    }
    arms.removeIf(a -> a.weight() <= 0);
    return arms;
  }

  private static VariantWeight arm(String name, double weight) {
    String n = name.trim();
    return new VariantWeight(n.equalsIgnoreCase(HOLDOUT) ? HOLDOUT : n, weight);
  }

  private static String[] split(String stepKey) {
    int colon = stepKey == null ? -1 : stepKey.indexOf(':');
    return colon < 0 ? new String[] {null, stepKey} : new String[] {stepKey.substring(0, colon), stepKey.substring(colon + 1)};
  }

}
