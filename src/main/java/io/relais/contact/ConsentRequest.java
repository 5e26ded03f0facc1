package io.relais.contact;

import io.relais.web.InvalidInputException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/** The body of {@code POST /api/contacts/{id}/consents}: one consent event with its proof. */
public record ConsentRequest(
    String channel,
    String purpose,
    String status,
    String legalBasis,
    String method,
    String source,
    String wording,
    String wordingVersion,
    String collectedBy,
    String ip,
    String userAgent,
    String proof,
    Instant collectedAt) {

  /** The event to append, enums checked with messages that name the field. */
  public ConsentEvent toEvent(String contactId) {
    ConsentStatus s = parse("status", status, ConsentStatus.class);
    if (s == ConsentStatus.PAUSED) {
      throw new InvalidInputException("status", "status must be GRANTED or WITHDRAWN");
    }
    LegalBasis basis = legalBasis == null ? (s == ConsentStatus.GRANTED ? LegalBasis.CONSENT : null)
        : parse("legalBasis", legalBasis, LegalBasis.class);
    return new ConsentEvent(null, contactId, parse("channel", channel, Channel.class), parse("purpose", purpose, Purpose.class),
        s, basis, parse("method", method, ConsentMethod.class), source, wording, wordingVersion, collectedBy, ip, userAgent,
        proof, null, collectedAt, null);
  }

  static <E extends Enum<E>> E parse(String field, String value, Class<E> type) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, field + " is required: one of " + Arrays.toString(type.getEnumConstants()));
    }
    try {
      return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field, "Unknown " + field + " '" + ContactFields.abbreviate(value) + "': one of "
          + Arrays.toString(type.getEnumConstants()));
    }
  }
}
