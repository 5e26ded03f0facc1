package io.relais.contact;

import io.relais.journey.JourneyMessages;
import io.relais.web.ConflictException;
import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.stereotype.Service;

/**
 * Double opt-in: starts the {@code double-opt-in} journey for a contact and channel, writes the
 * confirmation request, reads the answer, and records the grant the answer proves.
 */
@Service
public class DoubleOptIns {

  public static final String ANSWER_YES = "YES";
  public static final String ANSWER_REFUSED = "REFUSED";
  public static final String ANSWER_UNCLEAR = "UNCLEAR";
  /** Wording version recorded with a grant, so that the proof says which request text was shown. */
  public static final String WORDING_VERSION = "doi-sms-v1";

  private static final Set<String> YES = Set.of("OUI", "YES", "OUI OUI", "OUI MERCI", "YES PLEASE");
  private static final Set<String> NO = Set.of("NON", "NO", "STOP", "ARRET", "ARRETER", "NON MERCI", "STOP SMS");

  private final ContactRegistry registry;
  private final ConsentLedger ledger;
  private final PendingDoubleOptIns pending;
  private final RuntimeService runtime;
  private final ConsentProperties properties;

  public DoubleOptIns(ContactRegistry registry, ConsentLedger ledger, PendingDoubleOptIns pending, RuntimeService runtime,
      ConsentProperties properties) {
    this.registry = registry;
    this.ledger = ledger;
    this.pending = pending;
    this.runtime = runtime;
    this.properties = properties;
  }

  /** Starts the journey; 404 unknown contact, 409 erased / no phone / already granted / already pending. */
  public ProcessInstance start(String contactId, Channel channel) {
    Contact contact = registry.find(contactId).orElseThrow(() -> new NotFoundException("No contact '" + contactId + "'"));
    if (channel == Channel.EMAIL) {
      throw new InvalidInputException("channel", "A double opt-in by reply works on SMS, WHATSAPP or RCS, not EMAIL");
    }
    if (contact.erased()) {
      throw new ConflictException("Contact '" + contactId + "' was erased (RGPD)");
    }
    if (contact.phone() == null) {
      throw new ConflictException("Contact '" + contactId + "' has no phone number to ask on " + channel);
    }
    if (ledger.currentStatus(contactId, channel, Purpose.MARKETING) == ConsentStatus.GRANTED) {
      throw new ConflictException("Marketing on " + channel + " is already granted by contact '" + contactId + "'");
    }
    if (pending.isPending(contactId, channel)) {
      throw new ConflictException("A double opt-in on " + channel + " is already waiting for contact '" + contactId + "'");
    }
    Map<String, Object> vars = new HashMap<>();
    vars.put(DoubleOptInConfirmation.VAR_CHANNEL, channel.name());
    return runtime.createMessageCorrelation(JourneyMessages.DOUBLE_OPT_IN_REQUESTED)
        .processInstanceBusinessKey(contactId)
        .setVariables(vars)
        .correlateStartMessage();
  }

  /** The confirmation request; the second one (after an unclear answer) says so first. */
  public String requestText(Channel channel, int attempt) {
    String ask = "Répondez OUI pour confirmer votre inscription aux offres de " + properties.brandName() + " par "
        + channelName(channel) + ". " + properties.stopMention();
    return attempt <= 1 ? ask : "Nous n'avons pas compris votre réponse. " + ask;
  }

  /** The window as the journey's timer reads it (ISO-8601). */
  public String window() {
    return properties.doubleOptInWindow().toString();
  }

  /** YES, REFUSED or UNCLEAR: case, accents, punctuation and spaces do not matter. */
  public static String classify(String replyText) {
    String n = normalise(replyText);
    if (YES.contains(n)) {
      return ANSWER_YES;
    }
    if (NO.contains(n)) {
      return ANSWER_REFUSED;
    }
    return ANSWER_UNCLEAR;
  }

  static String normalise(String text) {
    if (text == null) {
      return "";
    }
    String noAccents = Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}+", "");
    return noAccents.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", " ").strip();
  }

  /** Records the grant proved by the answer (nothing when a START keyword already granted it). */
  public void confirm(String contactId, Channel channel, String wording, String proof) {
    if (ledger.currentStatus(contactId, channel, Purpose.MARKETING) == ConsentStatus.GRANTED) {
      return;
    }
    ledger.append(ConsentEvent.of(contactId, channel, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.DOUBLE_OPT_IN, "double-opt-in", proof).withWording(wording, WORDING_VERSION));
  }

  private static String channelName(Channel channel) {
    return switch (channel) {
      case SMS -> "SMS";
      case WHATSAPP -> "WhatsApp";
      case RCS -> "RCS";
      case EMAIL -> "e-mail";
    };
  }
}
