package io.relais.outbound;

import io.relais.contact.Channel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Tracked short links: each URL of a message becomes {@code <public-base-url>/r/<code>}, one code
 * per recipient and link, so that a click tells who clicked what.
 */
public final class ShortLinks {

  /** A tracked link as stored. */
  public record Link(String code, String messageId, String contactId, Channel channel, String url, String journeyKey,
      String processInstanceId, int clickCount, boolean clicked) {}

  /** A text whose URLs were replaced, and the links to store with the message. */
  public record Shortened(String text, List<Link> links) {}

  private static final Pattern URL = Pattern.compile("https?://[^\\s<>\"']+[^\\s<>\"'.,;:!?)]");
  private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  private static final SecureRandom RANDOM = new SecureRandom();

  private ShortLinks() {}

  public static Shortened shorten(String text, String publicBaseUrl, String messageId, String contactId, Channel channel,
      io.relais.outbound.JourneyStep step) {
    if (text == null) {
      return new Shortened(null, List.of());
    }
    String prefix = publicBaseUrl + "/r/";
    Matcher m = URL.matcher(text);
    StringBuilder out = new StringBuilder();
    List<Link> links = new ArrayList<>();
    while (m.find()) {
      String url = m.group();
      if (url.startsWith(publicBaseUrl + "/")) {
        m.appendReplacement(out, Matcher.quoteReplacement(url)); // our own links (unsubscribe, short links)
        continue;
      }
      String code = code();
      links.add(new Link(code, messageId, contactId, channel, url, step.journeyKey(), step.processInstanceId(), 0, false));
      m.appendReplacement(out, Matcher.quoteReplacement(prefix + code));
    }
    m.appendTail(out);
    return new Shortened(out.toString(), links);
  }

  static String code() {
    StringBuilder b = new StringBuilder(8);
    for (int i = 0; i < 8; i++) {
      b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return b.toString();
  }
}
