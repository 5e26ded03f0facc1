package io.relais.inbound;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The one normalisation of customer text before matching (domain-rules §5): upper case, diacritics
 * removed (NFD), typographic apostrophes made plain, whitespace trimmed and collapsed, trailing
 * punctuation dropped. "  Arrêt. " and "ARRET" compare equal.
 */
public final class TextNormalizer {

  private static final Pattern COMBINING = Pattern.compile("\\p{M}+");
  private static final Pattern SPACES = Pattern.compile("[\\s\\u00A0\\u202F]+");
  private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[\\p{P}\\p{S}\\s]+$");
  private static final Pattern LEADING_PUNCTUATION = Pattern.compile("^[\\p{P}\\s&&[^?]]+");

  private TextNormalizer() {}

  /** Upper case, no accents, single spaces, no trailing punctuation; never null. */
  public static String normalize(String text) {
    if (text == null) {
      return "";
    }
    String s = Normalizer.normalize(text, Normalizer.Form.NFD);
    s = COMBINING.matcher(s).replaceAll("");
    s = s.replace('\u2019', '\'').replace('\u2018', '\'').replace('\u00AB', '"').replace('\u00BB', '"');
    s = s.replace("\u0152", "OE").replace("\u0153", "oe").replace("\u00C6", "AE").replace("\u00E6", "ae");
    s = s.toUpperCase(Locale.ROOT);
    s = SPACES.matcher(s).replaceAll(" ").trim();
    s = TRAILING_PUNCTUATION.matcher(s).replaceAll("");
    s = LEADING_PUNCTUATION.matcher(s).replaceAll("");
    return s;
  }

  /** The words of a normalised text (letters and digits; apostrophes and hyphens split words). */
  public static String[] words(String normalized) {
    String cleaned = normalized.replaceAll("[^A-Z0-9]+", " ").trim();
    return cleaned.isEmpty() ? new String[0] : cleaned.split(" ");
  }

  /** Levenshtein distance, stopping early once above {@code max}. */
  static int distance(String a, String b, int max) {
    if (Math.abs(a.length() - b.length()) > max) {
      return max + 1;
    }
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      int rowMin = cur[0];
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        rowMin = Math.min(rowMin, cur[j]);
      }
      if (rowMin > max) {
        return max + 1;
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
