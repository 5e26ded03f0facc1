package io.relais.handoff;

import io.relais.contact.Channel;
import io.relais.outbound.JourneyStep;
import io.relais.outbound.MessageCategory;
import io.relais.outbound.SendPipeline;
import io.relais.outbound.SendRequest;
import io.relais.outbound.SendResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * What the customer is told during a handoff (holding message, out-of-hours notice, the agent's
 * replies), always through the one send pipeline as SERVICE messages on the conversation's channel.
 */
@Component
public class CustomerNotices {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("H 'h' mm", Locale.FRENCH);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM", Locale.FRENCH);

  private final ObjectProvider<SendPipeline> pipeline;
  private final HandoffProperties properties;
  private final Clock clock;
  private final String faqUrl;

  public CustomerNotices(ObjectProvider<SendPipeline> pipeline, HandoffProperties properties, Clock clock,
      @Value("${relais.brand.faq-url:https://www.example.com/aide}") String faqUrl) {
    this.pipeline = pipeline;
    this.properties = properties;
    this.clock = clock;
    this.faqUrl = faqUrl;
  }

  /** "Un conseiller va vous répondre d'ici X minutes.", X counted up to the escalation. */
  public String holdingText(Instant escalateAt) {
    long minutes = Math.max(1, (Duration.between(clock.instant(), escalateAt).toSeconds() + 59) / 60);
    return properties.holdingText().replace("{{minutes}}", Long.toString(minutes));
  }

  /** When a human will answer and where to look meanwhile. */
  public String outOfHoursText(Instant opensAt) {
    return properties.outOfHoursText().replace("{{when}}", when(opensAt)).replace("{{faqUrl}}", faqUrl);
  }

  /** "aujourd'hui à 9 h 00", "demain à 9 h 00", "lundi 30 novembre à 9 h 00" (agents' time zone). */
  String when(Instant at) {
    ZonedDateTime local = at.atZone(properties.hours().zone());
    LocalDate today = clock.instant().atZone(properties.hours().zone()).toLocalDate();
    String day;
    if (local.toLocalDate().equals(today)) {
      day = "aujourd'hui";
    } else if (local.toLocalDate().equals(today.plusDays(1))) {
      day = "demain";
    } else {
      day = DAY.format(local);
    }
    return day + " à " + TIME.format(local);
  }

  /** Sends one SERVICE message; the key makes a retried job send nothing twice. */
  public SendResult send(String idempotencyKey, String contactId, Channel channel, String text, boolean expectsReply,
      JourneyStep step) {
    SendPipeline sender = pipeline.getIfAvailable();
    if (sender == null) {
      throw new IllegalStateException("No SendPipeline bean: the handoff cannot reach the customer");
    }
    return sender.send(new SendRequest(idempotencyKey, contactId, channel, MessageCategory.SERVICE, text, null,
        Map.of(), null, expectsReply, step, null));
  }
}
