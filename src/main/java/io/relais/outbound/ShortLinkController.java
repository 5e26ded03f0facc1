package io.relais.outbound;

import io.relais.journey.JourneyMessages;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * {@code GET /r/{code}}: counts the click (unique per recipient and link), tells the journey
 * (LinkClicked) and redirects to the destination with UTM parameters. Public: no login.
 */
@RestController
public class ShortLinkController {

  private final OutboundStore store;
  private final JourneySignals signals;
  private final Clock clock;

  public ShortLinkController(OutboundStore store, JourneySignals signals, Clock clock) {
    this.store = store;
    this.signals = signals;
    this.clock = clock;
  }

  @GetMapping("/r/{code}")
  public ResponseEntity<Void> follow(@PathVariable String code) {
    ShortLinks.Link link = store.findLink(code).orElse(null);
    if (link == null) {
      return ResponseEntity.status(HttpStatus.NOT_FOUND).build();
    }
    boolean first = store.recordClick(code, clock.instant());
    signals.signal(JourneyMessages.LINK_CLICKED, link.processInstanceId(),
        Map.of("clickedUrl", link.url(), "clickedMessageId", link.messageId(), "clickedFirstTime", first));
    return ResponseEntity.status(HttpStatus.FOUND).location(destination(link)).build();
  }

  static URI destination(ShortLinks.Link link) {
    return UriComponentsBuilder.fromUriString(link.url())
        .replaceQueryParam("utm_source", "relais")
        .replaceQueryParam("utm_medium", link.channel().name().toLowerCase(Locale.ROOT))
        .replaceQueryParam("utm_campaign", link.journeyKey() == null ? "relais" : link.journeyKey())
        .build(false)
        .toUri();
  }
}
