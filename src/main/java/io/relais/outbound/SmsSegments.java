package io.relais.outbound;

/**
 * GSM-7 / UCS-2 detection and segment counting per 3GPP TS 23.038 (domain-rules §4): extension
 * characters and surrogate pairs count 2 and are never split across segments.
 */
public final class SmsSegments {

  /** The result of counting a text: encoding, units (septets or UTF-16 units) and segments. */
  public record Count(String encoding, int units, int segments) {}

  public static final String GSM7 = "GSM7";
  public static final String UCS2 = "UCS2";

  private static final String BASIC =
      "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿"
          + "abcdefghijklmnopqrstuvwxyzäöñüà";
  private static final String EXTENSION = "\f^{}\\[~]|€";

  private SmsSegments() {}

  public static boolean isGsm7(String text) {
    return text.codePoints().allMatch(cp -> BASIC.indexOf(cp) >= 0 || EXTENSION.indexOf(cp) >= 0);
  }

  public static Count count(String text) {
    String t = text == null ? "" : text;
    boolean gsm = isGsm7(t);
    int single = gsm ? 160 : 70;
    int multi = gsm ? 153 : 67;
    int[] widths = t.codePoints().map(cp -> gsm ? (EXTENSION.indexOf(cp) >= 0 ? 2 : 1) : Character.charCount(cp)).toArray();
    int units = 0;
    for (int w : widths) {
      units += w;
    }
    if (units <= single) {
      return new Count(gsm ? GSM7 : UCS2, units, 1);
    }
    // Pack character by character: a 2-unit character that does not fit opens the next segment.
    int segments = 1;
    int used = 0;
    for (int w : widths) {
      if (used + w > multi) {
        segments++;
        used = 0;
      }
      used += w;
    }
    return new Count(gsm ? GSM7 : UCS2, units, segments);
  }

  /**
   * Opt-in punctuation clean-up that keeps French promos in GSM-7 (curly quotes, guillemets,
   * no-break spaces, ellipsis, dashes) and never touches accents.
   */
  public static String normalizePunctuation(String text) {
    if (text == null) {
      return null;
    }
    return text.replace('«', '"').replace('»', '"').replace('“', '"').replace('”', '"')
        .replace('’', '\'').replace('‘', '\'')
        .replace('\u00A0', ' ').replace('\u202F', ' ')
        .replace("…", "...")
        .replace('–', '-').replace('—', '-');
  }
}
