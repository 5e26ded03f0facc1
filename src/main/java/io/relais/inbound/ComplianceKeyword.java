package io.relais.inbound;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The compliance keyword families that act before any journey sees a message (domain-rules §5):
 * an exact match after {@link TextNormalizer#normalize}, so "STOP SVP" is not an opt-out while
 * "stop 36180" (the short code typed after the word) is.
 */
public enum ComplianceKeyword {
  OPT_OUT,
  OPT_IN,
  HELP,
  PAUSE;

  static final Set<String> OPT_OUT_WORDS = Set.of(
      "STOP", "STOPALL", "STOP ALL", "STOP SMS", "ARRET", "ARRETE", "ARRETT", "ARRETER", "DESINSCRIRE",
      "DESINSCRIPTION", "DESABONNER", "DESABONNEMENT", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
      "OPTOUT", "OPT-OUT", "OPT OUT", "REMOVE", "TD");
  static final Set<String> OPT_IN_WORDS = Set.of("START", "UNSTOP", "YES", "OUI", "ABONNER", "REPRENDRE");
  static final Set<String> HELP_WORDS = Set.of("HELP", "INFO", "AIDE", "CONTACT");
  static final Set<String> PAUSE_WORDS = Set.of("PAUSE");

  /** Opt-in words that are also ordinary answers: they go on to the journey as well. */
  static final Set<String> AMBIGUOUS_OPT_IN = Set.of("YES", "OUI");

  /** "STOP 36180": an opt-out word followed by a short code. */
  private static final Pattern WORD_AND_SHORT_CODE = Pattern.compile("^(.+?) (3[68]\\d{3})$");

  /** The keyword family of a customer text, if it is exactly one of the keywords. */
  public static Optional<ComplianceKeyword> of(String text) {
    String n = TextNormalizer.normalize(text);
    if (OPT_OUT_WORDS.contains(n)) {
      return Optional.of(OPT_OUT);
    }
    var withCode = WORD_AND_SHORT_CODE.matcher(n);
    if (withCode.matches() && OPT_OUT_WORDS.contains(withCode.group(1))) {
      return Optional.of(OPT_OUT);
    }
    if (OPT_IN_WORDS.contains(n)) {
      return Optional.of(OPT_IN);
    }
    if (HELP_WORDS.contains(n)) {
      return Optional.of(HELP);
    }
    if (PAUSE_WORDS.contains(n)) {
      return Optional.of(PAUSE);
    }
    return Optional.empty();
  }

  /** Whether an opt-in text is also a plain "yes" that the waiting journey must receive. */
  public static boolean alsoAnAnswer(String text) {
    return AMBIGUOUS_OPT_IN.contains(TextNormalizer.normalize(text));
  }
}
