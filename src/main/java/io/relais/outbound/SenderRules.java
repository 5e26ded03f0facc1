package io.relais.outbound;

import java.util.regex.Pattern;

/**
 * What kind of sender an address is (domain-rules §3): French operators forbid automated traffic
 * from +33 6/7 mobiles, and an alphanumeric sender cannot receive replies.
 */
public final class SenderRules {

  /** The sender types of French A2P messaging. */
  public enum Kind { SHORT_CODE, LONG_NUMBER, ALPHANUMERIC, WHATSAPP, EMAIL, OTHER }

  private static final Pattern SHORT_CODE = Pattern.compile("\\d{5,6}");
  private static final Pattern E164 = Pattern.compile("\\+\\d{8,15}");
  private static final Pattern ALPHA = Pattern.compile("(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}");
  private static final Pattern FRENCH_MOBILE = Pattern.compile("(\\+33|0033|0)[67]\\d{8}");

  private SenderRules() {}

  public static Kind kind(String sender) {
    if (sender == null) {
      return Kind.OTHER;
    }
    if (sender.startsWith("whatsapp:")) {
      return Kind.WHATSAPP;
    }
    if (sender.contains("@")) {
      return Kind.EMAIL;
    }
    if (SHORT_CODE.matcher(sender).matches()) {
      return Kind.SHORT_CODE;
    }
    if (E164.matcher(sender).matches()) {
      return Kind.LONG_NUMBER;
    }
    if (ALPHA.matcher(sender).matches()) {
      return Kind.ALPHANUMERIC;
    }
    return Kind.OTHER;
  }

  public static boolean isAlphanumeric(String sender) {
    return kind(sender) == Kind.ALPHANUMERIC;
  }

  public static boolean isFrenchMobile(String sender) {
    return sender != null && FRENCH_MOBILE.matcher(sender.replace(" ", "").replace("whatsapp:", "")).matches();
  }

  /** Fails with a message naming the property when {@code sender} is an automated +33 6/7 sender. */
  public static void requireAutomatedSender(String property, String sender) {
    if (isFrenchMobile(sender)) {
      throw new IllegalStateException(property + "=" + sender + " is a French 06/07 mobile number: ARCEP forbids "
          + "automated (A2P) messages from mobile numbers. Use a short code (36xxx marketing, 38xxx transactional), "
          + "a 09 37/38/39 number or an alphanumeric sender.");
    }
    if (sender == null || sender.isBlank()) {
      throw new IllegalStateException(property + " must not be empty");
    }
  }
}
