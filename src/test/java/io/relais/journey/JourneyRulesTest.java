package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/** The plain rules behind journey steps, without the engine. */
class JourneyRulesTest {

  @Test
  void npsScoreAndCategory() {
    assertThat(NpsRecorder.score(null, "Je dirais 9 !")).isEqualTo(9);
    assertThat(NpsRecorder.score(6, "six")).isEqualTo(6);
    assertThat(NpsRecorder.score(null, "11 ou 12")).isNull();
    assertThat(NpsRecorder.score(null, "2,5")).isNull();
    assertThat(NpsRecorder.category(6)).isEqualTo("DETRACTOR");
    assertThat(NpsRecorder.category(8)).isEqualTo("PASSIVE");
    assertThat(NpsRecorder.category(9)).isEqualTo("PROMOTER");
    assertThat(NpsRecorder.category(null)).isEqualTo("NONE");
  }

  @Test
  void faqFoldingAndWaitNames() {
    assertThat(FaqAnswers.fold("  Délais de LIVRAISON ?")).isEqualTo("delais de livraison ?");
    assertThat(JourneyDefaults.kebab("cartEmailWait")).isEqualTo("cart-email-wait");
  }

  /**
   * A journey's wait: the variable it was started with, else the property (camelCase or
   * kebab-case), else the diagram's default; a bad value fails loudly. Properties are read once.
   */
  @Test
  void waitsComeFromTheVariableThenThePropertyThenTheDiagram() {
    MockEnvironment env = new MockEnvironment()
        .withProperty("relais.journeys.defaults.cartEmailWait", "PT12H")
        .withProperty("relais.journeys.defaults.order-wait", "P3D")
        .withProperty("relais.journeys.defaults.badWait", "tomorrow");
    JourneyDefaults defaults = new JourneyDefaults(env);

    assertThat(defaults.duration(scope(Map.of("cartEmailWait", "PT2H")), "cartEmailWait", "PT24H")).isEqualTo("PT2H");
    assertThat(defaults.duration(scope(Map.of()), "cartEmailWait", "PT24H")).isEqualTo("PT12H");
    assertThat(defaults.duration(scope(Map.of()), "orderWait", "P7D")).isEqualTo("P3D");
    assertThat(defaults.duration(scope(Map.of()), "replyWait", "PT48H")).isEqualTo("PT48H");
    assertThat(defaults.duration(null, "replyWait", "PT48H")).isEqualTo("PT48H");
    assertThatThrownBy(() -> defaults.duration(scope(Map.of()), "badWait", "PT1H"))
        .hasMessageContaining("badWait").hasMessageContaining("tomorrow");

    // read once: a property changed after the first look-up is not seen (the environment is fixed at start-up)
    env.setProperty("relais.journeys.defaults.cartEmailWait", "PT6H");
    assertThat(defaults.duration(scope(Map.of()), "cartEmailWait", "PT24H")).isEqualTo("PT12H");
  }

  private static VariableScope scope(Map<String, Object> variables) {
    Map<String, Object> copy = new HashMap<>(variables);
    return (VariableScope) java.lang.reflect.Proxy.newProxyInstance(VariableScope.class.getClassLoader(),
        new Class<?>[] {VariableScope.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getVariable" -> copy.get((String) args[0]);
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
