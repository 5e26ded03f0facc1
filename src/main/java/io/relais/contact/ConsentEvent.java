package io.relais.contact;

import java.time.Instant;

/**
 * One line of the consent ledger with its proof. {@code channel} is null only for a PAUSED event
 * (all marketing). {@code occurredAt} is when the person acted (UTC, ms), {@code recordedAt} when
 * Relais learnt it.
 */
public record ConsentEvent(
    Long id,
    String contactId,
    Channel channel,
    Purpose purpose,
    ConsentStatus status,
    LegalBasis legalBasis,
    ConsentMethod method,
    String source,
    String wording,
    String wordingVersion,
    String collectedBy,
    String ip,
    String userAgent,
    String proof,
    Instant pausedUntil,
    Instant occurredAt,
    Instant recordedAt) {

  /** A new event to append (id and recordedAt are set by the ledger; occurredAt null = now). */
  public static ConsentEvent of(String contactId, Channel channel, Purpose purpose, ConsentStatus status,
      LegalBasis legalBasis, ConsentMethod method, String source, String proof) {
    return new ConsentEvent(null, contactId, channel, purpose, status, legalBasis, method, source, null, null, null,
        null, null, proof, null, null, null);
  }

  public ConsentEvent withWording(String newWording, String newVersion) {
    return new ConsentEvent(id, contactId, channel, purpose, status, legalBasis, method, source, newWording, newVersion,
        collectedBy, ip, userAgent, proof, pausedUntil, occurredAt, recordedAt);
  }

  public ConsentEvent withWeb(String newIp, String newUserAgent) {
    return new ConsentEvent(id, contactId, channel, purpose, status, legalBasis, method, source, wording, wordingVersion,
        collectedBy, newIp, newUserAgent, proof, pausedUntil, occurredAt, recordedAt);
  }

  public ConsentEvent at(Instant when) {
    return new ConsentEvent(id, contactId, channel, purpose, status, legalBasis, method, source, wording, wordingVersion,
        collectedBy, ip, userAgent, proof, pausedUntil, when, recordedAt);
  }
}
