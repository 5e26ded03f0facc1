package io.relais.outbound;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The order of an outbound message's delivery statuses, so that late or repeated provider
 * callbacks only ever move a message forward (PENDING → SENT → FAILED/UNDELIVERED → DELIVERED → READ).
 * UNKNOWN (the provider call's answer was lost, or the message stayed PENDING too long) ranks with
 * PENDING: any later provider callback settles it.
 */
public final class DeliveryStatus {

  /** The request may or may not have reached the provider: never resent automatically, shown to operators. */
  public static final String UNKNOWN = "UNKNOWN";

  private static final Map<String, Integer> RANK = Map.of(
      "PENDING", 0, UNKNOWN, 0, "SENT", 1, "FAILED", 2, "UNDELIVERED", 2, "DELIVERED", 3, "READ", 4);

  private DeliveryStatus() {}

  /** The statuses a message may move from to reach {@code status}. */
  public static List<String> lowerThan(String status) {
    Integer rank = RANK.get(status);
    if (rank == null) {
      return List.of();
    }
    return RANK.entrySet().stream().filter(e -> e.getValue() < rank).map(Map.Entry::getKey).sorted().toList();
  }

  /** Twilio's MessageStatus as ours; null for statuses that say nothing new (queued, accepted...). */
  public static String fromTwilio(String messageStatus) {
    if (messageStatus == null) {
      return null;
    }
    return switch (messageStatus.toLowerCase(Locale.ROOT)) {
      case "sent", "sending" -> "SENT";
      case "delivered" -> "DELIVERED";
      case "read" -> "READ";
      case "undelivered" -> "UNDELIVERED";
      case "failed", "canceled" -> "FAILED";
      default -> null;
    };
  }

  /** SendGrid's event as a status; null for events that do not change the delivery status. */
  public static String fromSendGrid(String event) {
    return switch (event == null ? "" : event) {
      case "processed", "deferred" -> "SENT";
      case "delivered" -> "DELIVERED";
      case "open", "click" -> "READ";
      case "bounce", "dropped" -> "UNDELIVERED";
      default -> null;
    };
  }
}
