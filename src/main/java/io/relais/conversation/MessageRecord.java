package io.relais.conversation;

import io.relais.contact.Channel;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * One message of a conversation, in or out, as stored in the {@code message} table. Outbound
 * statuses: QUEUED (recorded with its journey, waiting for the outbox), PENDING, SENT, DELIVERED, READ, FAILED, UNDELIVERED, NO_CONSENT, SUPPRESSED, CAPPED,
 * DEFERRED; inbound: RECEIVED, PROCESSED. {@code category}: MARKETING, TRANSACTIONAL, SERVICE,
 * COMPLIANCE.
 */
public record MessageRecord(
    String id,
    String contactId,
    Direction direction,
    Channel channel,
    String category,
    String status,
    String body,
    String fromAddress,
    String toAddress,
    String provider,
    String providerId,
    String idempotencyKey,
    String processInstanceId,
    String journeyKey,
    Integer journeyVersion,
    String stepId,
    String variant,
    Integer segments,
    String encoding,
    BigDecimal cost,
    String reason,
    String errorCode,
    Instant createdAt,
    Instant updatedAt) {

  /** A new inbound message as received from a provider, before any processing. */
  public static MessageRecord inbound(
      String id, String contactId, Channel channel, String body, String from, String to,
      String provider, String providerId, Instant receivedAt) {
    return new MessageRecord(id, contactId, Direction.IN, channel, null, "RECEIVED", body, from, to,
        provider, providerId, null, null, null, null, null, null, null, null, null, null, null,
        receivedAt, receivedAt);
  }
}
