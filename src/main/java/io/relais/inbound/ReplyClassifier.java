package io.relais.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Tells what a customer's reply means. The marketers' decision table ({@code replyIntent},
 * processes/reply-intent.dmn) decides first, on the normalised text and then on the text with
 * one-letter typos of its own words corrected; code adds what a table cannot say: NPS scores,
 * yes/no in French and English, escalation signals, typo-tolerant topic words, questions.
 * Journeys use it as {@code ${replyClassifier.classify(replyText)}} or through the {@code
 * classifyReply} delegate.
 */
@Component("replyClassifier")
public class ReplyClassifier {

  private static final Pattern SCORE = Pattern.compile("^(?:NOTE|SCORE|JE DONNE|JE METS)?\\s*:?\\s*(\\d{1,2})(?:\\s*(?:/|SUR)\\s*10)?$");
  private static final Set<String> THUMBS_UP = Set.of("\uD83D\uDC4D", "\uD83D\uDC4C", "\u2705");
  private static final Set<String> THUMBS_DOWN = Set.of("\uD83D\uDC4E", "\u274C");
  private static final Set<String> QUESTION_STARTS = Set.of(
      "COMMENT", "POURQUOI", "QUAND", "OU", "QUEL", "QUELLE", "QUELS", "QUELLES", "COMBIEN", "EST", "PUIS",
      "PEUT", "PEUX", "AVEZ", "AURIEZ", "POURRIEZ", "POURRAIS", "QUI", "QUOI", "C'EST", "FAUT", "Y", "HOW", "WHAT", "WHEN",
      "WHERE", "WHY", "CAN", "DO", "IS");

  /** Rules in order: the first family that matches wins (escalation before topics, topics before yes/no). */
  private static final List<Rule> RULES = List.of(
      new Rule(ReplyIntents.HUMAN, false, phrases(
          "CONSEILLER", "CONSEILLERE", "UN HUMAIN", "UNE HUMAINE", "HUMAIN", "UNE PERSONNE", "UNE VRAIE PERSONNE",
          "QUELQU'UN", "QUELQU UN", "UN AGENT", "OPERATEUR", "OPERATRICE", "SERVICE CLIENT", "PARLER A", "ME RAPPELER",
          "RAPPELEZ MOI", "APPELEZ MOI", "AU TELEPHONE", "HUMAN", "REAL PERSON", "SOMEONE",
          // negotiation of a discount or a return goes to a person
          "GESTE COMMERCIAL", "REDUCTION", "REMISE", "RABAIS", "RISTOURNE", "DISCOUNT", "NEGOCIER", "MOINS CHER",
          "CODE PROMO")),
      new Rule(ReplyIntents.NEGATIVE, false, phrases(
          "REMBOURSEMENT", "REMBOURSER", "REMBOURSE", "REMBOURSEZ", "ARNAQUE", "ARNAQUEUR", "ARNAQUEURS", "ESCROC",
          "ESCROQUERIE", "VOLEUR", "VOLEURS", "INADMISSIBLE", "INACCEPTABLE", "SCANDALE", "SCANDALEUX", "HONTE",
          "HONTEUX", "LAMENTABLE", "MECONTENT", "MECONTENTE", "DECU", "DECUE", "DECEVANT", "DECEPTION", "NUL", "NULLE",
          "PLAINTE", "RECLAMATION", "FURIEUX", "FURIEUSE", "ENERVE", "ENERVEE", "MARRE", "RAS LE BOL", "N'IMPORTE QUOI",
          "INSUPPORTABLE", "CATASTROPHE", "CATASTROPHIQUE", "JAMAIS RECU", "PAS RECU", "TOUJOURS RIEN", "TOUJOURS PAS",
          "AVOCAT", "LITIGE", "DGCCRF", "EST CASSE", "ARRIVE CASSE", "CASSEE", "ABIME", "DEFECTUEUX", "REFUND", "SCAM", "TERRIBLE", "ANGRY")),
      new Rule(ReplyIntents.ADDRESS_CHANGE, false, phrases(
          "ADRESSE", "LIVREZ", "LIVRER A", "LIVRER CHEZ", "LIVREZ AU", "ABSENT", "ABSENTE", "PAS CHEZ MOI",
          "CHEZ MON VOISIN", "CHEZ MA VOISINE", "GARDIEN", "GARDIENNE", "POINT RELAIS", "CHANGER L'ADRESSE",
          "NOUVELLE ADRESSE", "ADDRESS")),
      new Rule(ReplyIntents.RETURN, false, phrases(
          "RETOUR", "RETOURNER", "RETOURNE", "RENVOYER", "RENVOI", "ECHANGE", "ECHANGER", "RETRACTATION", "RETURN")),
      new Rule(ReplyIntents.ORDER_STATUS, false, phrases(
          "COMMANDE", "COLIS", "LIVRAISON", "SUIVI", "EXPEDIE", "EXPEDITION", "OU EN EST", "QUAND VAIS JE RECEVOIR",
          "TRACKING", "ORDER", "DELIVERY")),
      new Rule(ReplyIntents.NO, true, phrases(
          "NON", "NO", "NAN", "NOPE", "PAS", "JAMAIS", "PAS INTERESSE", "PAS INTERESSEE", "NON MERCI", "SANS FACON",
          "PAS BESOIN")),
      new Rule(ReplyIntents.YES, true, phrases(
          "OUI", "OUAIS", "OUAI", "OUIII", "YES", "YEP", "YEAH", "SI", "OK", "OKAY", "OKI", "D'ACCORD", "D ACCORD",
          "DACCORD", "VOLONTIERS", "BIEN SUR", "CARREMENT", "EXACTEMENT", "PARFAIT", "CA MARCHE", "SURE", "ALLONS Y",
          "JE VEUX BIEN", "AVEC PLAISIR")),
      new Rule(ReplyIntents.HELP, false, phrases(
          "AIDE", "AIDER", "AIDEZ", "BESOIN D'AIDE", "HELP", "SAV", "NE MARCHE PAS", "MARCHE PAS", "FONCTIONNE PAS",
          "MODE D'EMPLOI", "NOTICE", "TUTORIEL", "TUTO", "PANNE", "PROBLEME")));

  private final Supplier<Optional<IntentTable>> table;

  @Autowired
  public ReplyClassifier(DeployedIntentTable deployed) {
    this(deployed::current);
  }

  ReplyClassifier(Supplier<Optional<IntentTable>> table) {
    this.table = table;
  }

  /** The intent of a text (for gateway expressions): YES, NO, SCORE, ..., KEYWORD, UNKNOWN. */
  public String classify(String text) {
    return classification(text).intent();
  }

  /** Intent, score and keyword of a text. */
  public ReplyClassification classification(String text) {
    String raw = text == null ? "" : text.strip();
    String normalized = TextNormalizer.normalize(raw);
    if (normalized.isEmpty()) {
      if (THUMBS_UP.stream().anyMatch(raw::contains)) {
        return ReplyClassification.of(ReplyIntents.YES);
      }
      if (THUMBS_DOWN.stream().anyMatch(raw::contains)) {
        return ReplyClassification.of(ReplyIntents.NO);
      }
      return ReplyClassification.of(ReplyIntents.UNKNOWN);
    }
    Matcher score = SCORE.matcher(normalized);
    if (score.matches() && Integer.parseInt(score.group(1)) <= 10) {
      return new ReplyClassification(ReplyIntents.SCORE, Integer.parseInt(score.group(1)), null);
    }
    Optional<IntentTable> dmn = table.get();
    if (dmn.isPresent()) {
      Optional<ReplyClassification> hit = dmn.get().evaluate(normalized);
      if (hit.isEmpty()) {
        String corrected = correct(TextNormalizer.words(normalized), dmn.get().vocabulary());
        if (!corrected.equals(normalized)) {
          hit = dmn.get().evaluate(corrected);
        }
      }
      if (hit.isPresent()) {
        return hit.get();
      }
    }
    String[] words = TextNormalizer.words(normalized.replace("'", " "));
    for (Rule rule : RULES) {
      if (rule.matches(words)) {
        return ReplyClassification.of(rule.intent);
      }
    }
    if (AddressExtractor.find(raw).isPresent()) {
      return ReplyClassification.of(ReplyIntents.ADDRESS_CHANGE);
    }
    if (raw.contains("?") || (words.length > 0 && QUESTION_STARTS.contains(words[0]))) {
      return ReplyClassification.of(ReplyIntents.QUESTION);
    }
    return ReplyClassification.of(ReplyIntents.UNKNOWN);
  }

  /** Replaces each word of 5+ letters that is one edit away from exactly one vocabulary word. */
  static String correct(String[] words, Set<String> vocabulary) {
    List<String> out = new ArrayList<>(words.length);
    for (String w : words) {
      out.add(w.length() >= 5 && !vocabulary.contains(w) ? nearest(w, vocabulary).orElse(w) : w);
    }
    return String.join(" ", out);
  }

  private static Optional<String> nearest(String word, Set<String> vocabulary) {
    String found = null;
    for (String v : vocabulary) {
      if (v.length() >= 4 && TextNormalizer.distance(word, v, 1) <= 1) {
        if (found != null && !found.equals(v)) {
          return Optional.empty();
        }
        found = v;
      }
    }
    return Optional.ofNullable(found);
  }

  /** Whether two words are the same allowing one edit on words of five letters or more. */
  static boolean sameWord(String text, String expected) {
    if (text.equals(expected)) {
      return true;
    }
    // one edit on long words only, and never on the first letter: fewer false friends (MARIE/MARRE)
    return expected.length() >= 5 && text.length() >= 5 && text.charAt(0) == expected.charAt(0)
        && TextNormalizer.distance(text, expected, 1) <= 1;
  }

  private static List<String[]> phrases(String... phrases) {
    List<String[]> list = new ArrayList<>();
    for (String p : phrases) {
      list.add(TextNormalizer.words(p.replace("'", " ")));
    }
    return list;
  }

  /** An intent with the phrases that signal it (contiguous words, typo-tolerant), anywhere or only first. */
  private record Rule(String intent, boolean atStart, List<String[]> phrases) {

    boolean matches(String[] words) {
      for (String[] phrase : phrases) {
        if (atStart ? startsWith(words, phrase) : contains(words, phrase)) {
          return true;
        }
      }
      return false;
    }

    private static boolean startsWith(String[] words, String[] phrase) {
      if (phrase.length > words.length) {
        return false;
      }
      for (int j = 0; j < phrase.length; j++) {
        if (!sameWord(words[j], phrase[j])) {
          return false;
        }
      }
      return true;
    }

    private static boolean contains(String[] words, String[] phrase) {
      outer:
      for (int i = 0; i + phrase.length <= words.length; i++) {
        for (int j = 0; j < phrase.length; j++) {
          if (!sameWord(words[i + j], phrase[j])) {
            continue outer;
          }
        }
        return true;
      }
      return false;
    }
  }
}
