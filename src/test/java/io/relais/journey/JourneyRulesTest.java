package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

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
}
