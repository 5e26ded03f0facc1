package io.relais.outbound;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A/B variants of a send step ({@code [{"name":"A","weight":50,"text":"..."}, ...]}): the choice is
 * a deterministic function of contact and step, so a retried job or a re-run picks the same text.
 * The analytics feature may replace the choice later; this is the seam.
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
      variants.add(new Variant(String.valueOf(m.get("name")), weight == null ? 1.0 : Double.parseDouble(weight.toString()),
          String.valueOf(m.get("text"))));
    }
    return variants;
  }

  /** The variant this contact gets at this step, by weight. */
  public static Variant choose(List<Variant> variants, String contactId, String stepKey) {
    double total = variants.stream().mapToDouble(Variant::weight).sum();
    CRC32 crc = new CRC32();
    crc.update((contactId + "|" + stepKey).getBytes(StandardCharsets.UTF_8));
    double point = (crc.getValue() % 10_000) / 10_000.0 * total;
    double acc = 0;
    for (Variant v : variants) {
      acc += v.weight();
      if (point < acc) {
        return v;
      }
    }
    return variants.get(variants.size() - 1);
  }
}
