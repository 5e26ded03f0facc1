package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.relais.analytics.Experiments.VariantWeight;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExperimentsTest {

  static final List<VariantWeight> ARMS = Experiments.parse("A:45,B:35,HOLDOUT:20");

  @Test
  void theSameContactAndStepAlwaysGetTheSameVariant() {
    for (int i = 0; i < 200; i++) {
      String contact = "c-" + i;
      String first = Experiments.pick(contact, "cart:Task_SendSms", ARMS);
      for (int again = 0; again < 3; again++) {
        assertThat(Experiments.pick(contact, "cart:Task_SendSms", ARMS)).isEqualTo(first);
      }
    }
  }

  @Test
  void tenThousandContactsSplitWithinTwoPointsOfTheWeights() {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      counts.merge(Experiments.pick("contact-" + i, "cart:Task_SendSms", ARMS), 1, Integer::sum);
    }
    assertThat(counts.get("A") / 10_000.0).isCloseTo(0.45, within(0.02));
    assertThat(counts.get("B") / 10_000.0).isCloseTo(0.35, within(0.02));
    assertThat(counts.get(Experiments.HOLDOUT) / 10_000.0).isCloseTo(0.20, within(0.02));
  }

  @Test
  void anotherStepDrawsIndependently() {
    List<VariantWeight> half = Experiments.parse("A:50,B:50");
    int same = 0;
    for (int i = 0; i < 10_000; i++) {
      if (Experiments.pick("contact-" + i, "cart:Task_SendSms", half).equals(Experiments.pick("contact-" + i, "cart:Task_SendEmail", half))) {
        same++;
      }
    }
    // Independent draws agree half of the time; a shared draw would agree always.
    assertThat(same / 10_000.0).isCloseTo(0.5, within(0.02));
  }

  @Test
  void variantsAreReadFromAStringAMapOrAList() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("A", 70);
    map.put("holdout", 30);
    assertThat(Experiments.parse(map)).containsExactly(new VariantWeight("A", 70), new VariantWeight("HOLDOUT", 30));
    assertThat(Experiments.parse("A=1, B=3")).containsExactly(new VariantWeight("A", 1), new VariantWeight("B", 3));
    assertThat(Experiments.parse(List.of(Map.of("name", "X", "weight", 2), "Y")))
        .containsExactly(new VariantWeight("X", 2), new VariantWeight("Y", 1));
    assertThatThrownBy(() -> Experiments.pick("c", "s", Experiments.parse("A:0"))).isInstanceOf(IllegalArgumentException.class);
  }
}
