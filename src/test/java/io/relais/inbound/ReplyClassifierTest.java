package io.relais.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The shipped reply-intent table plus the built-in rules, on French replies as customers type them. */
class ReplyClassifierTest {

  static IntentTable shippedTable() {
    try {
      return IntentTable.parse(Files.newInputStream(Path.of("processes/reply-intent.dmn")));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private final ReplyClassifier classifier = new ReplyClassifier(() -> Optional.of(shippedTable()));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "Oui|YES", "oui !|YES", "OUAIS|YES", "Ouais carrément|YES", "yes|YES", "Si|YES", "ok|YES", "D'accord|YES",
      "d’accord.|YES", "Volontiers|YES", "Oui, avec plaisir|YES", "\uD83D\uDC4D|YES",
      "Non|NO", "non merci|NO", "NON MERCI !|NO", "No|NO", "Pas intéressé|NO", "pas intéresée|NO", "Nan|NO",
      "Où est ma commande ?|ORDER_STATUS", "ou en est ma commande|ORDER_STATUS", "Je n'ai pas de nouvelles de mon colis|ORDER_STATUS",
      "Quand arrive la livraison|ORDER_STATUS", "Suivi|ORDER_STATUS", "Je voudrais suivre ma comande|ORDER_STATUS",
      "Je serai absent, livrez au 12 rue de la Paix 75002 Paris|ADDRESS_CHANGE",
      "Pouvez-vous livrer chez ma voisine ?|ADDRESS_CHANGE", "Nouvelle adresse : 3 avenue Foch 69006 Lyon|ADDRESS_CHANGE",
      "Le 4 allée des Tilleuls 33000 Bordeaux|ADDRESS_CHANGE",
      "Je veux faire un retour|RETURN", "Comment retourner l'article ?|RETURN", "Je voudrais échanger la taille|RETURN",
      "Je souhaite retouner ma veste|RETURN",
      "AIDE-MOI|HELP", "J'ai besoin d'aide|HELP", "Ca ne marche pas|HELP", "mon appareil est en panne|HELP",
      "Je veux parler à un conseiller|HUMAN", "Un humain svp|HUMAN", "UN CONSEILER !!!|HUMAN",
      "Passez-moi quelqu'un|HUMAN", "Vous pouvez me faire une réduction ?|HUMAN", "Un geste commercial ?|HUMAN",
      "Je veux être remboursé|NEGATIVE", "C'est une ARNAQUE|NEGATIVE", "Inadmissible !!|NEGATIVE",
      "Remboursement immédiat|NEGATIVE", "Je suis très mécontente|NEGATIVE", "c'est inadmisible|NEGATIVE",
      "J'en ai marre, toujours pas reçu|NEGATIVE", "Service nul|NEGATIVE", "Je suis déçu|NEGATIVE",
      "Quelle est la composition du pull ?|QUESTION", "Est-ce que ça existe en bleu|QUESTION",
      "Combien de temps dure la batterie|QUESTION", "C'est lavable en machine ?|QUESTION",
      "Quiz|KEYWORD", "QUIZ SUPPLÉMENTAIRE|KEYWORD", "quiz supplementaire !|KEYWORD", "Quiz suplémentaire|KEYWORD",
      "J'hésite entre deux produits|UNKNOWN", "Bonjour|UNKNOWN", "<script>alert(1)</script>|UNKNOWN",
      "x' OR 1=1; DROP TABLE message; --|UNKNOWN"})
  void classifiesFrenchReplies(String text, String intent) {
    assertThat(classifier.classify(text)).isEqualTo(intent);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {"0|0", "7|7", "10|10", " 9 !|9", "8/10|8", "Note : 6|6", "10 sur 10|10"})
  void numbersFromZeroToTenAreScores(String text, int score) {
    ReplyClassification c = classifier.classification(text);
    assertThat(c.intent()).isEqualTo("SCORE");
    assertThat(c.score()).isEqualTo(score);
  }

  @Test
  void numbersOutsideTheScaleAreNotScores() {
    assertThat(classifier.classify("11")).isNotEqualTo("SCORE");
    assertThat(classifier.classify("75002")).isNotEqualTo("SCORE");
  }

  @Test
  void campaignKeywordsCarryTheirName() {
    assertThat(classifier.classification("Quiz supplémentaire").keyword()).isEqualTo("QUIZ");
    assertThat(classifier.classification("Oui").keyword()).isNull();
  }

  @Test
  void withoutADeployedTableTheBuiltInRulesStillAnswer() {
    ReplyClassifier bare = new ReplyClassifier(Optional::empty);
    assertThat(bare.classify("Oui")).isEqualTo("YES");
    assertThat(bare.classify("remboursement")).isEqualTo("NEGATIVE");
    assertThat(bare.classify("Quiz")).isEqualTo("UNKNOWN");
    assertThat(bare.classify("")).isEqualTo("UNKNOWN");
    assertThat(bare.classify(null)).isEqualTo("UNKNOWN");
  }

  @Test
  void aWordTooFarFromTheTableIsNotCorrected() {
    assertThat(ReplyClassifier.correct(new String[] {"QUIZ", "SUPLEMENTAIR"}, shippedTable().vocabulary()))
        .isEqualTo("QUIZ SUPLEMENTAIR");
    assertThat(ReplyClassifier.correct(new String[] {"QUIZ", "SUPLEMENTAIRE"}, shippedTable().vocabulary()))
        .isEqualTo("QUIZ SUPPLEMENTAIRE");
  }
}
