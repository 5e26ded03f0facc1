package io.relais.contact;

import java.util.regex.Pattern;

/**
 * Takes phone numbers and email addresses out of a text that Relais did not write, before it
 * reaches a log, a message row's reason or an engine incident. A provider's refusal may quote the
 * recipient ("The 'To' number +33612345678 is not a valid phone number", Twilio 21211); the contact
 * id next to it says who it was. Kept: error codes, HTTP statuses, ids (a phone-like run of digits
 * counts only when it stands alone, not inside an id such as a UUID or {@code bench-123456789}).
 */
public final class ContactDetails {

  /**
   * Eight to fifteen digits (E.164's longest), or six and more after a "+" (a number too short to
   * be valid is what a refusal quotes), separators allowed, not part of a word or an id.
   */
  private static final Pattern PHONE =
      Pattern.compile("(?<![\\w+-])(?:\\+\\d(?:[ .()/-]{0,2}\\d){5,14}|\\d(?:[ .()/-]{0,2}\\d){7,14})(?![\\w-])");
  private static final Pattern EMAIL = Pattern.compile("[\\w.%+-]+@[\\w-]+(?:\\.[\\w-]+)+");

  public static final String PHONE_MARK = "[phone]";
  public static final String EMAIL_MARK = "[email]";

  private ContactDetails() {}

  /** {@code text} with every email address and every stand-alone phone number replaced by a mark. */
  public static String redacted(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    return PHONE.matcher(EMAIL.matcher(text).replaceAll(EMAIL_MARK)).replaceAll(PHONE_MARK);
  }
}
