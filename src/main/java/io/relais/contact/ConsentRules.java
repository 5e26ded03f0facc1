package io.relais.contact;

import io.relais.web.InvalidInputException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
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

  /**
   * The columns and join that {@link #verdictOfRow} reads, for a statement on {@code contact c}:
   * its parameters are the channel's and the purpose's names.
   */
  static final String CONSENT_COLUMNS = "c.erased, c.marketing_paused_until, s.status";
  static final String CONSENT_JOIN = "left join consent_state s on s.contact_id = c.id and s.channel = ? and s.purpose = ?";

  /** The verdict of a row read with {@link #CONSENT_COLUMNS} and {@link #CONSENT_JOIN}. */
  static ConsentVerdict verdictOfRow(ResultSet rs, Purpose purpose, Instant now) throws SQLException {
    String status = rs.getString("status");
    Timestamp pausedUntil = rs.getTimestamp("marketing_paused_until");
    return verdict(rs.getBoolean("erased"), purpose, status == null ? null : ConsentStatus.valueOf(status),
        pausedUntil == null ? null : pausedUntil.toInstant(), now);
  }

  static void maxLength(String field, String value, int max) {
    if (value != null && value.length() > max) {
      throw new InvalidInputException(field, field + " must be at most " + max + " characters");
    }
  }
}
