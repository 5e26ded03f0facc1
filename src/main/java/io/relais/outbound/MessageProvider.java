package io.relais.outbound;

import io.relais.contact.Channel;
import io.relais.contact.ContactDetails;
import java.time.Instant;

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

  /**
   * Whether the provider has a message whose call ended in doubt (a crash or a time-out after
   * the request was written): asked before such a message is sent again, so that it leaves once.
   * Providers that cannot tell answer {@link Lookup#UNSUPPORTED} and the message stays in doubt.
   */
  default Lookup lookup(InDoubt message) {
    return Lookup.UNSUPPORTED;
  }

  /** A recorded message whose provider call ended in doubt, as stored (no re-rendering). */
  record InDoubt(String messageId, Channel channel, String from, String to, String body, Instant recordedAt) {}

  /** The provider's answer about a message in doubt. */
  record Lookup(Kind kind, String providerId) {

    public enum Kind { FOUND, NOT_FOUND, UNSUPPORTED }

    public static final Lookup NOT_FOUND = new Lookup(Kind.NOT_FOUND, null);
    public static final Lookup UNSUPPORTED = new Lookup(Kind.UNSUPPORTED, null);

    public static Lookup found(String providerId) {
      return new Lookup(Kind.FOUND, providerId);
    }
  }

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

  /**
   * A provider refusal or a failed call; {@code optedOut} when the provider says the recipient
   * opted out (Twilio 21610); {@code outcomeUnknown} when the request may have reached the provider
   * (time-out or reset after it was written): the message may have gone, so it must not be resent.
   */
  class ProviderException extends RuntimeException {
    private final String code;
    private final boolean optedOut;
    private final boolean outcomeUnknown;

    public ProviderException(String message, String code, boolean optedOut, Throwable cause) {
      this(message, code, optedOut, false, cause);
    }

    public ProviderException(String message, String code, boolean optedOut, boolean outcomeUnknown, Throwable cause) {
      // a provider's text may quote the recipient: neither this message nor its cause's carries it on
      super(ContactDetails.redacted(message), cause == null ? null : new RedactedCause(cause));
      this.code = code;
      this.optedOut = optedOut;
      this.outcomeUnknown = outcomeUnknown;
    }

    /**
     * The provider's exception as a cause without its contact details: its class and message
     * (redacted) and its stack, so that a logged stack trace still shows where it came from.
     */
    static final class RedactedCause extends RuntimeException {
      RedactedCause(Throwable original) {
        super(original.getClass().getName() + ": " + ContactDetails.redacted(original.getMessage()),
            original.getCause() == null ? null : new RedactedCause(original.getCause()), false, true);
        setStackTrace(original.getStackTrace());
      }
    }

    /** The request may have reached the provider: the message may have gone (or not). */
    public static ProviderException unknown(String message, String code, Throwable cause) {
      return new ProviderException(message, code, false, true, cause);
    }

    public String code() {
      return code;
    }

    public boolean optedOut() {
      return optedOut;
    }

    public boolean outcomeUnknown() {
      return outcomeUnknown;
    }
  }
}
