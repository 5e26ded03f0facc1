package io.relais.contact;

import io.relais.web.InvalidInputException;
import java.time.Instant;

/**
 * The consent decision itself, without a database: marketing needs a current grant for that very
 * channel (and no running pause); transactional needs none but honours an explicit withdrawal.
 */
public final class ConsentRules {

  private ConsentRules() {}

  /**
   * @param latest the status of the latest event for (contact, channel, purpose), null if none
   */
  public static ConsentVerdict verdict(boolean erased, Purpose purpose, ConsentStatus latest, Instant pausedUntil, Instant now) {
    if (erased) {
      return ConsentVerdict.SUPPRESSED;
    }
    if (purpose == Purpose.TRANSACTIONAL) {
      return latest == ConsentStatus.WITHDRAWN ? ConsentVerdict.WITHDRAWN : ConsentVerdict.NOT_REQUIRED;
    }
    if (latest == null) {
      return ConsentVerdict.NO_GRANT;
    }
    if (latest == ConsentStatus.WITHDRAWN) {
      return ConsentVerdict.WITHDRAWN;
    }
    if (pausedUntil != null && pausedUntil.isAfter(now)) {
      return ConsentVerdict.PAUSED;
    }
    return ConsentVerdict.GRANTED;
  }

  static void maxLength(String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw new InvalidInputException(field, field + " must be at most " + max + " characters");
    }
  }
}
