package io.relais.inbound;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.outbound.OutboundProperties;
import io.relais.platform.AfterCommit;
import io.relais.platform.TimeOrderedIds;
import io.relais.web.InvalidInputException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Verify → <b>store</b> → comply → route: the one entry of customer messages, for the Twilio
 * webhook and the simulator alike. It checks the message, resolves (or creates) the contact,
 * stores the message and its processing task in one transaction, deduplicated by provider id, and
 * only then hands it to the {@link InboundProcessor}. Whatever happens after this returns, the
 * stored message is processed.
 */
@Service
public class InboundIntake {

  private static final Logger log = LoggerFactory.getLogger(InboundIntake.class);
  private static final Pattern E164 = Pattern.compile("^\\+[1-9]\\d{6,14}$");
  private static final Pattern PROVIDER_ID = Pattern.compile("^[A-Za-z0-9_.:-]{1,128}$");
  static final String ERASED_CONTACT = "erased";

  private final MessageLog messageLog;
  private final InboundStore store;
  private final InboundQueue queue;
  private final InboundProcessor processor;
  private final KeywordCompliance keywords;
  private final ObjectProvider<ContactDirectory> contacts;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final InboundProperties properties;
  private final ObjectProvider<OutboundProperties> outboundProperties;
  private volatile Set<String> knownSenders;
  private volatile ContactDirectory directory;

  public InboundIntake(
      MessageLog messageLog, InboundStore store, InboundQueue queue, InboundProcessor processor, KeywordCompliance keywords,
      ObjectProvider<ContactDirectory> contacts, PlatformTransactionManager transactionManager, Clock clock,
      InboundProperties properties, ObjectProvider<OutboundProperties> outboundProperties) {
    this.messageLog = messageLog;
    this.store = store;
    this.queue = queue;
    this.processor = processor;
    this.keywords = keywords;
    this.contacts = contacts;
    this.tx = new TransactionTemplate(transactionManager);
    this.clock = clock;
    this.properties = properties;
    this.outboundProperties = outboundProperties;
  }

  /**
   * Stores a customer's message for processing. Throws {@link InvalidInputException} (400, naming
   * the field) for a message that cannot be stored; a replay returns the first message's id.
   */
  public IntakeResult receive(InboundMessage in) {
    String provider = required("provider", in.provider()).toUpperCase(Locale.ROOT);
    String providerId = required("MessageSid", in.providerId());
    if (!PROVIDER_ID.matcher(providerId).matches()) {
      throw new InvalidInputException("MessageSid", "MessageSid must be 1 to 128 letters, digits or _.:-");
    }
    // A replay of the same MessageSid is found by the unique index when the message is inserted
    // (the transaction then rolls back whatever it did): no look-up before, for the common case.
    String from = required("From", in.from()).trim();
    String to = required("To", in.to()).trim();
    Channel channel = channelOf(from);
    String phone = address(from);
    if (!E164.matcher(phone).matches()) {
      throw new InvalidInputException("From", "From must be a phone number in E.164 form (+33612345678), optionally prefixed whatsapp: or rcs:");
    }
    List<InboundMessage.Media> media = in.media() == null ? List.of() : in.media();
    String body = in.body() == null ? "" : in.body().replace("\u0000", "");
    if (body.isBlank() && media.isEmpty()) {
      throw new InvalidInputException("Body", "Body is missing and the message has no media");
    }
    if (body.codePointCount(0, body.length()) > properties.maxBodyLength()) {
      throw new InvalidInputException("Body", "Body is longer than " + properties.maxBodyLength() + " characters");
    }
    if (body.contains("\uFFFD")) {
      // the servlet container replaced bytes that were not UTF-8: keep the message, say so
      log.warn("Inbound message {} from provider {} contained invalid UTF-8, stored with replacement characters", providerId, provider);
    }
    String flag = isKnownSender(to) ? null : "unknown To address (not one of relais.senders.*)";
    Instant now = clock.instant();
    String contactId = contactFor(phone);
    boolean erased = ERASED_CONTACT.equals(contactId);
    String id = TimeOrderedIds.next();
    MessageRecord record = MessageRecord.inbound(id, contactId, channel, erased ? null : body, erased ? null : from, to, provider, providerId, now);
    if (flag != null) {
      record = withReason(record, flag);
    }
    MessageRecord toStore = record;
    boolean compliance = ComplianceKeyword.of(body).isPresent() && !ComplianceKeyword.alsoAnAnswer(body);
    // A STOP withdraws consent in the transaction that stores it: once Twilio has its 200, no
    // marketing send can pass the consent check, whatever happens to the processing afterwards.
    boolean optOutNow = !erased && ComplianceKeyword.of(body).filter(k -> k == ComplianceKeyword.OPT_OUT).isPresent();
    try {
      store(toStore, media, compliance, optOutNow, now);
    } catch (DuplicateKeyException e) {
      return replayOf(provider, providerId, e);
    } catch (RuntimeException e) {
      if (!optOutNow) {
        throw e;
      }
      // the message matters more than doing its opt-out right now: store it, the processor opts out
      log.error("Opt-out of inbound message {} could not be recorded with the message; left to the processor: {}", id, e.toString());
      try {
        store(toStore, media, compliance, false, now);
      } catch (DuplicateKeyException d) {
        return replayOf(provider, providerId, d);
      }
    }
    if (erased) {
      store.markProcessed(id, null, null, null, "sender is an erased contact: nothing kept, nothing done");
    } else {
      AfterCommit.run(() -> processor.dispatch(contactId));
    }
    return new IntakeResult(id, contactId, false, flag);
  }

  private void store(MessageRecord m, List<InboundMessage.Media> media, boolean compliance, boolean optOutNow, Instant now) {
    tx.executeWithoutResult(s -> {
      messageLog.insert(m);
      if (!ERASED_CONTACT.equals(m.contactId())) {
        store.addMedia(m.id(), media);
        InboundQueue.Stage stage = optOutNow ? keywords.act(ComplianceKeyword.OPT_OUT, m) : InboundQueue.Stage.NEW;
        queue.add(m.id(), m.contactId(), compliance, stage, now, now.plus(properties.sweepDelay()));
      }
    });
  }

  private IntakeResult replayOf(String provider, String providerId, DuplicateKeyException e) {
    MessageRecord first = messageLog.findByProviderId(provider, providerId).orElseThrow(() -> e);
    return new IntakeResult(first.id(), first.contactId(), true, null);
  }

  private String contactFor(String phone) {
    ContactDirectory directory = this.directory;
    if (directory == null) {
      // looked up once: resolving it through the bean factory on every message cost ~4 % of the webhook's CPU
      directory = contacts.getIfAvailable();
      if (directory == null) {
        throw new IllegalStateException("No ContactDirectory in this application: inbound messages cannot be attributed");
      }
      this.directory = directory;
    }
    try {
      Contact contact = directory.findOrCreateByPhone(phone);
      return contact.id();
    } catch (RuntimeException e) {
      // findOrCreateByPhone refuses a suppressed (erased) number: keep only the trace of the event
      if (directory.findByPhone(phone).isEmpty()) {
        log.info("Inbound message from a suppressed number: stored without content ({})", e.getMessage());
        return ERASED_CONTACT;
      }
      throw e;
    }
  }

  static Channel channelOf(String address) {
    String lower = address.toLowerCase(Locale.ROOT);
    if (lower.startsWith("whatsapp:")) {
      return Channel.WHATSAPP;
    }
    if (lower.startsWith("rcs:")) {
      return Channel.RCS;
    }
    return Channel.SMS;
  }

  /** The address without its channel prefix. */
  static String address(String address) {
    int colon = address.indexOf(':');
    return (colon >= 0 ? address.substring(colon + 1) : address).trim();
  }

  private boolean isKnownSender(String to) {
    Set<String> senders = knownSenders;
    if (senders == null) {
      senders = new HashSet<>();
      OutboundProperties outbound = outboundProperties.getIfAvailable();
      if (outbound != null) {
        OutboundProperties.Senders s = outbound.senders();
        for (String a : new String[] {s.sms().marketing(), s.sms().transactional(), s.sms().stopShortCode(), s.whatsapp(), s.rcs()}) {
          if (a != null && !a.isBlank()) {
            senders.add(normalizedAddress(a));
          }
        }
      }
      knownSenders = senders;
    }
    return senders.isEmpty() || senders.contains(normalizedAddress(to));
  }

  private static String normalizedAddress(String a) {
    return address(a).replace(" ", "").toUpperCase(Locale.ROOT);
  }

  /** Replaces the addresses taken as Relais' own (tests); null reads relais.senders.* again. */
  void useKnownSenders(Set<String> senders) {
    this.knownSenders = senders == null ? null : Set.copyOf(senders.stream().map(InboundIntake::normalizedAddress).toList());
  }

  private static String required(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, field + " is missing");
    }
    return value;
  }

  private static MessageRecord withReason(MessageRecord m, String reason) {
    return new MessageRecord(m.id(), m.contactId(), m.direction(), m.channel(), m.category(), m.status(), m.body(),
        m.fromAddress(), m.toAddress(), m.provider(), m.providerId(), m.idempotencyKey(), m.processInstanceId(),
        m.journeyKey(), m.journeyVersion(), m.stepId(), m.variant(), m.segments(), m.encoding(), m.cost(), reason,
        m.errorCode(), m.createdAt(), m.updatedAt());
  }
}
