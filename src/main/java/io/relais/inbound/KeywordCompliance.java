package io.relais.inbound;

import io.relais.contact.Channel;
import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentMethod;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import io.relais.outbound.JourneyStep;
import io.relais.outbound.MessageCategory;
import io.relais.outbound.SendPipeline;
import io.relais.outbound.SendRequest;
import io.relais.outbound.SendResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Acts on compliance keywords before any journey sees the message: STOP withdraws consent for the
 * channel (all purposes; SMS and RCS together, as Twilio unifies them for a sender) and tells the
 * contact's journeys ({@code OptedOut}); START re-grants where allowed; HELP answers with the
 * brand's identity; PAUSE suspends marketing. Each confirmation is a COMPLIANCE message, sent even
 * after a withdrawal and in quiet hours.
 */
@Component
class KeywordCompliance {

  private static final Logger log = LoggerFactory.getLogger(KeywordCompliance.class);
  static final String SOURCE = "inbound-keyword";
  /** Process variable set with OptedOut: the channel the customer opted out of. */
  public static final String VAR_OPT_OUT_CHANNEL = "optOutChannel";

  private final ObjectProvider<ConsentChanges> consent;
  private final ObjectProvider<SendPipeline> sender;
  private final ObjectProvider<ContactDirectory> contacts;
  private final RuntimeService runtimeService;
  private final ComplianceReplies replies;
  private final InboundProperties properties;
  private final Clock clock;

  KeywordCompliance(ObjectProvider<ConsentChanges> consent, ObjectProvider<SendPipeline> sender,
      ObjectProvider<ContactDirectory> contacts, RuntimeService runtimeService, ComplianceReplies replies,
      InboundProperties properties, Clock clock) {
    this.consent = consent;
    this.sender = sender;
    this.contacts = contacts;
    this.runtimeService = runtimeService;
    this.replies = replies;
    this.properties = properties;
    this.clock = clock;
  }

  /**
   * Records the consent change of the keyword (run in the caller's transaction, which also records
   * the next stage, so it happens once) and says what remains to do.
   */
  InboundQueue.Stage act(ComplianceKeyword keyword, MessageRecord m) {
    ConsentChanges changes = consent.getObject();
    String proof = m.providerId();
    switch (keyword) {
      case OPT_OUT -> {
        for (Channel c : sameOptOutList(m.channel())) {
          changes.withdraw(m.contactId(), c, null, ConsentMethod.KEYWORD, SOURCE, proof);
        }
        return InboundQueue.Stage.CONFIRM;
      }
      case OPT_IN -> {
        boolean regranted = changes.regrantByKeyword(m.contactId(), m.channel(), SOURCE, proof);
        if (!regranted) {
          // never subscribed and no double opt-in pending: an ordinary message for the journeys
          return InboundQueue.Stage.ROUTE;
        }
        return ComplianceKeyword.alsoAnAnswer(m.body()) ? InboundQueue.Stage.CONFIRM_ROUTE : InboundQueue.Stage.CONFIRM;
      }
      case PAUSE -> {
        changes.pauseMarketing(m.contactId(), pauseEnd(), SOURCE, proof);
        return InboundQueue.Stage.CONFIRM;
      }
      case HELP -> {
        return InboundQueue.Stage.CONFIRM;
      }
      default -> throw new IllegalStateException("Unknown keyword " + keyword);
    }
  }

  /** Sends the confirmation (idempotent per message) and, for STOP, tells the journeys. */
  void confirm(ComplianceKeyword keyword, MessageRecord m) {
    String text = switch (keyword) {
      case OPT_OUT -> replies.optedOut(m.channel());
      case OPT_IN -> replies.optedIn(m.channel());
      case HELP -> replies.help();
      case PAUSE -> replies.paused(pauseEnd(), zoneOf(m.contactId()));
    };
    SendResult result = sender.getObject().send(new SendRequest(
        "inbound:" + m.id() + ":confirmation", m.contactId(), m.channel(), MessageCategory.COMPLIANCE, text, null,
        Map.of(), null, false, JourneyStep.NONE, null));
    log.info("Compliance {} of message {}: confirmation {}", keyword, m.id(), result.outcome());
    if (keyword == ComplianceKeyword.OPT_OUT) {
      tellJourneys(m);
    }
  }

  private void tellJourneys(MessageRecord m) {
    for (int attempt = 1; ; attempt++) {
      try {
        int told = runtimeService.createMessageCorrelation(JourneyMessages.OPTED_OUT)
            .processInstanceBusinessKey(m.contactId())
            .setVariable(VAR_OPT_OUT_CHANNEL, m.channel().name())
            .correlateAllWithResult().size();
        log.info("Opt-out of contact {} on {}: {} journey executions told", m.contactId(), m.channel(), told);
        return;
      } catch (OptimisticLockingException e) {
        if (attempt >= 5) {
          throw e;
        }
      }
    }
  }

  /** The end of a PAUSE starting now (a calendar period, in French time). */
  private Instant pauseEnd() {
    return clock.instant().atZone(ZoneId.of("Europe/Paris")).plus(properties.pauseDuration()).toInstant();
  }

  private ZoneId zoneOf(String contactId) {
    ContactDirectory directory = contacts.getIfAvailable();
    Contact contact = directory == null ? null : directory.find(contactId).orElse(null);
    return contact != null && contact.timeZone() != null ? contact.timeZone() : ZoneId.of("Europe/Paris");
  }

  /** Channels one STOP covers: SMS and RCS share the sender's opt-out list (Twilio, 2026). */
  static Set<Channel> sameOptOutList(Channel channel) {
    return channel == Channel.SMS || channel == Channel.RCS ? EnumSet.of(Channel.SMS, Channel.RCS) : EnumSet.of(channel);
  }
}
