package io.relais.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Compliance keywords as domain-rules §5 defines them: exact match after normalisation. */
class ComplianceKeywordTest {

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(delimiter = '|', value = {
      "stop|OPT_OUT", "' Stop. '|OPT_OUT", "ARRÊT|OPT_OUT", "Arrêt|OPT_OUT", "stop 36180|OPT_OUT", "STOP ALL|OPT_OUT",
      "Désinscription|OPT_OUT", "désabonner !|OPT_OUT", "unsubscribe|OPT_OUT", "opt-out|OPT_OUT", "STOP  SMS|OPT_OUT",
      "start|OPT_IN", "Oui|OPT_IN", "UNSTOP|OPT_IN", "Reprendre|OPT_IN",
      "aide|HELP", "Aide ?|HELP", "INFO|HELP", "contact|HELP", "help|HELP",
      "pause|PAUSE", "PAUSE.|PAUSE"})
  void recognisesKeywordFamilies(String text, ComplianceKeyword family) {
    assertThat(ComplianceKeyword.of(text)).contains(family);
  }

  @ParameterizedTest
  @ValueSource(strings = {"STOP SVP", "stop svp", "Arrêtez de m'écrire", "stop 06123", "Je veux l'aide d'un conseiller", "", "STOPPER"})
  void onlyExactKeywordsCount(String text) {
    assertThat(ComplianceKeyword.of(text)).isEqualTo(Optional.empty());
  }

  @Test
  void ouiIsBothAnOptInAndAnAnswer() {
    assertThat(ComplianceKeyword.alsoAnAnswer("oui !")).isTrue();
    assertThat(ComplianceKeyword.alsoAnAnswer("START")).isFalse();
  }

  @Test
  void normalisationFoldsCaseAccentsSpacesAndPunctuation() {
    assertThat(TextNormalizer.normalize("  Quiz   supplémentaire !!! ")).isEqualTo("QUIZ SUPPLEMENTAIRE");
    assertThat(TextNormalizer.normalize("Œuf\u00A0à la coque…")).isEqualTo("OEUF A LA COQUE");
    assertThat(TextNormalizer.normalize(null)).isEmpty();
  }
}
