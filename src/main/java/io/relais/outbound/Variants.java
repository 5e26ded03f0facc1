package io.relais.outbound;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.analytics.Experiments;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The texts of an A/B tested send step ({@code [{"name":"A","weight":50,"text":"..."}, ...]}; an
 * arm named {@code HOLDOUT}, with no text, gets no message). Which arm a contact gets is not
 * decided here: {@link io.relais.analytics.Experiments} draws it (deterministic per contact and
 * step, winner-takes-all, holdout), the one picker whose choice the experiment results count.
 */
public final class Variants {

  /** One variant of a step's text. */
  public record Variant(String name, double weight, String text) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private Variants() {}

  /** Reads the {@code variants} variable: a JSON string, a Spin JSON value or a list of maps; empty when absent. */
  @SuppressWarnings("unchecked")
  public static List<Variant> parse(Object value) {
    if (value == null) {
      return List.of();
    }
    List<Map<String, Object>> raw;
    try {
      if (value instanceof List<?> list) {
        raw = (List<Map<String, Object>>) list;
      } else {
        String text = value.toString();
        if (text.isBlank()) {
          return List.of();
        }
        raw = JSON.readValue(text, new TypeReference<>() {});
      }
    } catch (Exception e) {
      throw new IllegalArgumentException("variants must be a JSON list of {name, weight, text}: " + e.getMessage(), e);
    }
    List<Variant> variants = new ArrayList<>();
    for (Map<String, Object> m : raw) {
      Object weight = m.get("weight");
      Object text = m.get("text");
      variants.add(new Variant(String.valueOf(m.get("name")), weight == null ? 1.0 : Double.parseDouble(weight.toString()),
          text == null ? null : text.toString()));
    }
    return variants;
  }

  /** The arms and their weights, as {@link io.relais.analytics.Experiments#assign} takes them. */
  public static List<Experiments.VariantWeight> weights(List<Variant> variants) {
    return variants.stream().map(v -> new Experiments.VariantWeight(v.name(), v.weight())).toList();
  }

  /** The variant of that name (the holdout matches whatever its case). */
  public static Variant named(List<Variant> variants, String name) {
    return variants.stream().filter(v -> v.name().equals(name) || v.name().equalsIgnoreCase(Experiments.HOLDOUT) && Experiments.HOLDOUT.equals(name))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("No variant named " + name));
  }
}
