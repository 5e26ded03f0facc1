package io.relais.inbound;

import java.util.List;

/**
 * A message a customer sent, as a provider announced it (Twilio's webhook, or the simulator after
 * its own checks). Addresses keep their channel prefix ({@code whatsapp:+336...}, {@code rcs:...}).
 *
 * @param provider TWILIO, SIMULATOR...; with {@code providerId} the key that de-duplicates replays
 */
public record InboundMessage(
    String provider,
    String providerId,
    String from,
    String to,
    String body,
    List<Media> media,
    String profileName) {

  /** An attachment (MMS, WhatsApp image...). */
  public record Media(String url, String contentType) {}

  /** A text message without media. */
  public static InboundMessage text(String provider, String providerId, String from, String to, String body) {
    return new InboundMessage(provider, providerId, from, to, body, List.of(), null);
  }
}
