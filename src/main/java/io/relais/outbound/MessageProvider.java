package io.relais.outbound;

import io.relais.contact.Channel;

/** A way out to the customer: Twilio, SendGrid, or the simulator when no credentials are set. */
public interface MessageProvider {

  /** TWILIO, SENDGRID, SIMULATOR: stored in the message row with the provider's id. */
  String name();

  /** A real route: the sender's throughput applies and the row is committed before the call; false for the simulator. */
  boolean external();

  /** Hands the message to the provider; throws {@link ProviderException} when it refuses. */
  Receipt send(OutboundMessage message);

  /** What the provider said: its id for the message and our status for it. */
  record Receipt(String providerId, String status) {}

  /** A rendered message ready to leave, with the ids a provider callback needs to find it (no PII). */
  record OutboundMessage(
      String messageId,
      String contactId,
      Channel channel,
      MessageCategory category,
      String from,
      String to,
      String text,
      String html,
      String subject,
      String contentSid,
      JourneyStep step) {}

  /** A provider refusal; {@code optedOut} when the provider says the recipient opted out (Twilio 21610). */
  class ProviderException extends RuntimeException {
    private final String code;
    private final boolean optedOut;

    public ProviderException(String message, String code, boolean optedOut, Throwable cause) {
      super(message, cause);
      this.code = code;
      this.optedOut = optedOut;
    }

    public String code() {
      return code;
    }

    public boolean optedOut() {
      return optedOut;
    }
  }
}
