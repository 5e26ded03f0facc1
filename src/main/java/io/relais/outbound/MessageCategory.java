package io.relais.outbound;

import io.relais.contact.Purpose;

/**
 * What kind of message goes out, which decides the rules it obeys. MARKETING: consent for the
 * channel, quiet hours, caps, STOP mention. TRANSACTIONAL: honours an explicit withdrawal only.
 * SERVICE: an answer inside a conversation the customer started (or an agent's reply): like
 * transactional. COMPLIANCE: the answer to STOP/HELP/PAUSE keywords, always sent, even after a
 * withdrawal and in quiet hours.
 */
public enum MessageCategory {
  MARKETING,
  TRANSACTIONAL,
  SERVICE,
  COMPLIANCE;

  /** The consent purpose checked for this category (none for COMPLIANCE). */
  public Purpose purpose() {
    return switch (this) {
      case MARKETING -> Purpose.MARKETING;
      case TRANSACTIONAL, SERVICE -> Purpose.TRANSACTIONAL;
      case COMPLIANCE -> null;
    };
  }
}
