package io.relais.outbound;

import io.relais.contact.Channel;
import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentMethod;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.contact.SendSubject;
import io.relais.contact.SendSubjects;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.platform.AfterCommit;
import io.relais.platform.TimeOrderedIds;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one send path: policy (consent, quiet hours, WhatsApp window, sender), render (template,
 * links, STOP mention, segments, cost), record (the message row with its idempotency key,
 * committed before any provider call, caps and throughput counted under row locks), send, outcome.
 */
public class CompliantSendPipeline implements SendPipeline {

  private static final Logger log = LoggerFactory.getLogger(CompliantSendPipeline.class);
  static final Duration WHATSAPP_WINDOW = Duration.ofHours(24);
  private static final Pattern HAS_STOP = Pattern.compile("(?i)\\bSTOP\\b");

  private final ContactDirectory contacts;
  private final ConsentPolicy consent;
  private final ConsentChanges consentChanges;
  private final MessageLog messages;
  private final OutboundStore store;
  private final OutboundProperties props;
  private final Function<Channel, MessageProvider> providers;
  private final Clock clock;
  private final TransactionTemplate newTransaction;
  private final ApplicationEventPublisher events;
  private final UnsubscribeLinks unsubscribeLinks;
  private ConversationOwnership ownership = (contactId, step, category) -> false;
  private SendSubjects subjects;
  private UnknownOutcomes unknownOutcomes;
  private SendOutbox outbox;
  /** Parsed once per channel from the (immutable) properties, not on every send. */
  private final Map<Channel, SendingWindow> windows = new ConcurrentHashMap<>();
  private java.time.Duration inDoubtAfter = java.time.Duration.ofSeconds(40);
  private final Map<Channel, List<FrequencyCap>> caps = new ConcurrentHashMap<>();

  /** How long a bot message waits before it checks again whether the agent is done. */
  static final java.time.Duration HUMAN_OWNED_RECHECK = java.time.Duration.ofMinutes(10);

  public CompliantSendPipeline(ContactDirectory contacts, ConsentPolicy consent, ConsentChanges consentChanges,
      MessageLog messages, OutboundStore store, OutboundProperties props, Function<Channel, MessageProvider> providers,
      Clock clock, PlatformTransactionManager transactions, ApplicationEventPublisher events, UnsubscribeLinks unsubscribeLinks) {
    this.contacts = contacts;
    this.consent = consent;
    this.consentChanges = consentChanges;
    this.messages = messages;
    this.store = store;
    this.props = props;
    this.providers = providers;
    this.clock = clock;
    this.newTransaction = new TransactionTemplate(transactions);
    this.newTransaction.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    this.events = events;
    this.unsubscribeLinks = unsubscribeLinks;
  }

  /** While a human owns a conversation, the bot's messages to that contact wait (see {@link ConversationOwnership}). */
  public void setConversationOwnership(ConversationOwnership ownership) {
    this.ownership = ownership;
  }

  /**
   * The recipient's contact, consent and open handoff read in one statement; without it (tests
   * with in-memory collaborators), from the contact directory, the consent policy and the
   * ownership one by one.
   */
  public void setSendSubjects(SendSubjects subjects) {
    this.subjects = subjects;
  }

  /** Counts and exposes messages whose provider outcome is unknown. */
  public void setUnknownOutcomes(UnknownOutcomes unknownOutcomes) {
    this.unknownOutcomes = unknownOutcomes;
  }

  /** Where {@link #queue} leaves messages for an external provider (null: {@link #queue} is refused). */
  public void setOutbox(SendOutbox outbox) {
    this.outbox = outbox;
  }

  /**
   * A message that will not go (now), with why; or null when policy lets it through. DEFERRED
   * carries when to try again.
   */
  record Stop(SendOutcome outcome, String reason, Instant notBefore) {}

  /** The recorded row, and whether this attempt wrote it (false: another attempt of the step owns it). */
  private record Recorded(MessageRecord message, boolean ours) {}

  /** A rendered message ready to be recorded and sent. */
  private record Rendered(String body, String html, String subject, String from, String to, String contentSid,
      SmsSegments.Count count, BigDecimal cost, List<ShortLinks.Link> links) {}

  /**
   * The common case (a first attempt) costs no look-up: the row is inserted under a new id, and
   * only when the step's idempotency key is taken (a retried or duplicated job) is the existing row
   * read: its result is returned, or a FAILED row is taken over for a new attempt.
   */
  @Override
  public SendResult send(SendRequest r) {
    require(r);
    try {
      return attempt(r, TimeOrderedIds.next(), false);
    } catch (KeyTaken taken) {
      MessageRecord existing = taken.existing;
      if (inDoubt(existing)) {
        Optional<SendResult> settled = settleInDoubt(r, existing);
        if (settled.isPresent()) {
          return settled.get();
        }
        return attempt(r, existing.id(), true); // not at the provider: it never left, send it now
      }
      if (!"FAILED".equals(existing.status())) {
        return resultOf(existing); // a retried or duplicated job: the first attempt's result
      }
      return attempt(r, existing.id(), true);
    }
  }

  /**
   * The send of a step reached in a transaction that is not a job's (a journey's start): the same
   * policy, rendering, caps and record as {@link #send}, but written in the caller's transaction,
   * so that the message exists if and only if that transaction commits. The simulator's delivery is
   * written with it (it has no call to lose); for an external provider the message is QUEUED and
   * {@link SendOutbox} hands it over after the commit, re-checking consent and quiet hours then.
   * The result of a QUEUED message is SENT: accepted for sending, as a provider's own "queued" is.
   * A FAILED result leaves its FAILED row under the request's key for a retry to reclaim.
   */
  @Override
  public SendResult queue(SendRequest r) {
    require(r);
    Instant now = clock.instant();
    String messageId = TimeOrderedIds.next();
    Prepared prepared = prepare(r, messageId, now);
    Stop stop = prepared.stop();
    Rendered rendered = prepared.rendered();
    if (stop == null && r.category() == MessageCategory.MARKETING) {
      stop = capped(r, now);
    }
    MessageProvider provider = providers.apply(r.channel());
    if (stop == null && provider.external() && outbox == null) {
      throw new IllegalStateException("No send outbox: a message for " + provider.name() + " cannot be queued");
    }
    MessageRecord m = row(r, messageId, stop, rendered, provider, now);
    if (stop == null) {
      if (provider.external()) {
        m = with(m, SendOutbox.QUEUED, null);
      } else {
        m = withDelivery(m, provider.send(outbound(r, m, rendered)));
      }
    }
    messages.insert(m);
    if (stop != null && stop.notBefore() != null) {
      store.setNotBefore(messageId, stop.notBefore());
    }
    if (stop == null) {
      rendered.links().forEach(link -> store.insertLink(link, now));
      if (provider.external()) {
        outbox.add(m.id(), rendered.subject(), rendered.html(), rendered.contentSid(), now);
      } else {
        MessageRecord delivered = m;
        AfterCommit.run(() -> events.publishEvent(new MessageSentEvent(delivered.id(), delivered.contactId(), delivered.channel())));
      }
    }
    return resultOf(m);
  }

  /**
   * What stops a queued message at the moment it would leave: consent withdrawn, the contact
   * erased, or, for marketing, quiet hours (DEFERRED, with the next opening) or the frequency cap
   * meanwhile. Null when it may go now. Runs in the dispatcher's transaction: the message is dated
   * now first, so that the caps, counted under the contact's lock, count it from when it leaves.
   */
  Stop recheck(MessageRecord m, Instant now) {
    MessageCategory category = MessageCategory.valueOf(m.category());
    Recipient recipient = recipient(m.contactId(), m.channel(), category, null);
    Contact contact = recipient.contact();
    Stop stop = consentAndContact(category, contact, recipient.verdict());
    if (stop == null) {
      stop = quietHours(m.channel(), category, contact, now);
    }
    if (stop != null) {
      return stop;
    }
    store.redate(m.id(), now);
    return category == MessageCategory.MARKETING ? overCap(m.contactId(), m.channel(), now, 1, " when it was to leave") : null;
  }

  /** The sender's throughput for a queued message: now, or when its turn comes (nothing reserved then). */
  Instant reserveThroughput(MessageRecord m, Instant now) {
    return store.reserveThroughput(m.fromAddress(), m.segments() == null ? 1 : m.segments(), props.throughputFor(m.fromAddress()), now);
  }

  /** A message in doubt settled as its provider says (the outbox's in-doubt path), in the caller's transaction. */
  void settleInDoubt(String messageId, String status, String providerId) {
    if (store.settleInDoubt(messageId, status, providerId, clock.instant()) && "SENT".equals(status)) {
      messages.find(messageId).ifPresent(m -> AfterCommit.run(() -> events.publishEvent(new MessageSentEvent(m.id(), m.contactId(), m.channel()))));
    }
  }

  MessageProvider providerFor(Channel channel) {
    return providers.apply(channel);
  }

  /** After this, an attempt that recorded PENDING can no longer be waiting for the provider: it died. */
  public void setInDoubtAfter(java.time.Duration inDoubtAfter) {
    this.inDoubtAfter = inDoubtAfter;
  }

  private static boolean inDoubt(MessageRecord m) {
    return "PENDING".equals(m.status()) || DeliveryStatus.UNKNOWN.equals(m.status());
  }

  /**
   * A retried step finds its message PENDING (the first attempt died between its record and the
   * provider's answer, or is still calling) or UNKNOWN (the answer was lost). When the provider can
   * be asked, Relais asks rather than guess: found there, the message is SENT; not found, it is
   * reclaimed and sent (empty result). A PENDING record younger than the call's time-outs may still
   * be in flight: the step fails and its retry asks later. When the provider cannot tell, the first
   * attempt's result stands (PENDING counts as sent, UNKNOWN fails into an incident).
   */
  private Optional<SendResult> settleInDoubt(SendRequest r, MessageRecord existing) {
    MessageProvider provider = providers.apply(r.channel());
    if (existing.provider() == null || !existing.provider().equals(provider.name())) {
      return Optional.of(resultOf(existing));
    }
    MessageProvider.Lookup lookup = provider.lookup(new MessageProvider.InDoubt(existing.id(), existing.channel(),
        existing.fromAddress(), existing.toAddress(), existing.body(), existing.createdAt()));
    boolean mayBeInFlight = "PENDING".equals(existing.status()) && existing.updatedAt().isAfter(clock.instant().minus(inDoubtAfter));
    if (mayBeInFlight && lookup.kind() == MessageProvider.Lookup.Kind.NOT_FOUND) {
      throw new IllegalStateException("IN_FLIGHT: message " + existing.id() + " was recorded at " + existing.updatedAt()
          + " and may still be on its way to " + provider.name() + "; the step asks again later");
    }
    switch (lookup.kind()) {
      case FOUND -> {
        boolean ours = newTransaction.execute(tx -> store.settleInDoubt(existing.id(), "SENT", lookup.providerId(), clock.instant()));
        log.info("Message {} in doubt was found at {}: SENT, not sent again", existing.id(), provider.name());
        if (ours) {
          events.publishEvent(new MessageSentEvent(existing.id(), existing.contactId(), existing.channel()));
        }
        return Optional.of(new SendResult(SendOutcome.SENT, null, existing.id(), null));
      }
      case NOT_FOUND -> {
        boolean ours = newTransaction.execute(tx -> store.settleInDoubt(existing.id(), "FAILED", null, clock.instant()));
        log.warn("Message {} in doubt is not at {}: sent again", existing.id(), provider.name());
        return ours ? Optional.empty() : Optional.of(resultOf(messages.find(existing.id()).orElseThrow()));
      }
      default -> {
        return Optional.of(resultOf(existing));
      }
    }
  }

  /** The step's idempotency key already has a row: {@code existing}. */
  private static final class KeyTaken extends RuntimeException {
    private final transient MessageRecord existing;

    KeyTaken(MessageRecord existing) {
      super(null, null, false, false);
      this.existing = existing;
    }
  }

  private SendResult attempt(SendRequest r, String messageId, boolean reclaim) {
    Instant now = clock.instant();
    Prepared prepared = prepare(r, messageId, now);
    Stop stop = prepared.stop();
    Rendered rendered = prepared.rendered();
    MessageProvider provider = providers.apply(r.channel());
    Recorded recorded = record(r, messageId, reclaim, stop, rendered, provider, now);
    MessageRecord m = recorded.message();
    if (!recorded.ours()) {
      return resultOf(m); // another attempt of the same step got there first
    }
    if (!"PENDING".equals(m.status())) {
      if (m.providerId() != null) {
        events.publishEvent(new MessageSentEvent(m.id(), m.contactId(), m.channel())); // delivered by the simulator
      }
      return resultOf(m);
    }
    return deliver(m, outbound(r, m, rendered), provider);
  }

  /** What policy decided (null: it may go) and, when it may, the rendered message. */
  private record Prepared(Stop stop, Rendered rendered) {}

  private Prepared prepare(SendRequest r, String messageId, Instant now) {
    Recipient recipient = recipient(r.contactId(), r.channel(), r.category(), r.step());
    Contact contact = recipient.contact();
    Stop stop = policy(r, recipient, now);
    if (stop != null) {
      return new Prepared(stop, null);
    }
    try {
      return new Prepared(null, render(r, contact, messageId));
    } catch (TemplateRenderer.MissingVariableException | IllegalArgumentException e) {
      return new Prepared(new Stop(SendOutcome.FAILED, e.getMessage(), null), null);
    }
  }

  private static void require(SendRequest r) {
    if (r.idempotencyKey() == null || r.contactId() == null || r.channel() == null || r.category() == null) {
      throw new IllegalArgumentException("A send request needs idempotencyKey, contactId, channel and category");
    }
  }

  // ---------------------------------------------------------------- policy

  /**
   * A message's recipient as policy sees it: the contact (null: unknown), its consent verdict for
   * the message's channel and purpose, asked only when the message needs consent, and whether an
   * agent owns the conversation, so that the bot's message waits.
   */
  private record Recipient(Contact contact, Supplier<ConsentVerdict> verdict, BooleanSupplier humanOwns) {}

  /** One statement with {@link SendSubjects}; otherwise the directory, the consent policy and the ownership, each when asked. */
  private Recipient recipient(String contactId, Channel channel, MessageCategory category, JourneyStep step) {
    if (subjects != null) {
      SendSubject subject = subjects.findForSend(contactId, channel, category.purpose()).orElse(null);
      return new Recipient(subject == null ? null : subject.contact(),
          () -> subject == null ? ConsentVerdict.UNKNOWN_CONTACT : subject.verdict(),
          () -> ownership.mutesBot(contactId, step, category, subject != null && subject.handoffOpen()));
    }
    return new Recipient(contacts.find(contactId).orElse(null), () -> consent.check(contactId, channel, category.purpose()),
        () -> ownership.mutesBot(contactId, step, category));
  }

  private Stop policy(SendRequest r, Recipient recipient, Instant now) {
    Contact contact = recipient.contact();
    Stop consented = consentAndContact(r.category(), contact, recipient.verdict());
    if (consented != null) {
      return consented;
    }
    if (recipient.humanOwns().getAsBoolean()) {
      return new Stop(SendOutcome.DEFERRED, "HUMAN_OWNS_CONVERSATION", now.plus(HUMAN_OWNED_RECHECK));
    }
    Stop window = quietHours(r.channel(), r.category(), contact, now);
    if (window != null) {
      return window;
    }
    if (r.channel() == Channel.WHATSAPP && !insideWhatsAppWindow(contact, now) && blank(r.contentSid())) {
      return new Stop(SendOutcome.FAILED, "NO_TEMPLATE: outside the customer's 24 h WhatsApp window a free-form message "
          + "is refused; give an approved template (contentSid)", null);
    }
    String from = props.senders().senderFor(r.channel(), r.category());
    if (r.expectsReply() && r.channel() == Channel.SMS && SenderRules.isAlphanumeric(from)) {
      return new Stop(SendOutcome.FAILED, "ONE_WAY_SENDER: the step expects a reply but the SMS sender '" + from
          + "' is alphanumeric (one-way); use a short code or a 09 number", null);
    }
    String to = r.channel() == Channel.EMAIL ? contact.email() : contact.phone();
    if (blank(to)) {
      return new Stop(SendOutcome.FAILED, "NO_ADDRESS: the contact has no " + (r.channel() == Channel.EMAIL ? "email" : "phone"), null);
    }
    return null;
  }

  /** Consent for the message's purpose (compliance answers need none), then a live contact. */
  private static Stop consentAndContact(MessageCategory category, Contact contact, Supplier<ConsentVerdict> consented) {
    if (category != MessageCategory.COMPLIANCE) {
      ConsentVerdict verdict = consented.get();
      if (verdict == ConsentVerdict.SUPPRESSED) {
        return new Stop(SendOutcome.SUPPRESSED, "SUPPRESSED", null);
      }
      if (!verdict.allowed()) {
        return new Stop(SendOutcome.NO_CONSENT, verdict.name(), null);
      }
    }
    if (contact == null) {
      return new Stop(SendOutcome.NO_CONSENT, ConsentVerdict.UNKNOWN_CONTACT.name(), null);
    }
    if (contact.erased()) {
      return new Stop(SendOutcome.SUPPRESSED, "ERASED", null);
    }
    return null;
  }

  /** Marketing outside the contact's sending window waits for its next opening. */
  private Stop quietHours(Channel channel, MessageCategory category, Contact contact, Instant now) {
    if (category == MessageCategory.MARKETING && props.windowEnabled(channel)) {
      Instant allowed = windows.computeIfAbsent(channel, props::windowFor).nextAllowed(now, contact.timeZone(), contact.holidayZone());
      if (allowed.isAfter(now)) {
        return new Stop(SendOutcome.DEFERRED, "QUIET_HOURS", allowed);
      }
    }
    return null;
  }

  private boolean insideWhatsAppWindow(Contact contact, Instant now) {
    return store.lastInbound(contact.id(), Channel.WHATSAPP).map(last -> last.plus(WHATSAPP_WINDOW).isAfter(now)).orElse(false);
  }

  // ---------------------------------------------------------------- render

  private Rendered render(SendRequest r, Contact contact, String messageId) {
    Channel channel = r.channel();
    String from = channel == Channel.EMAIL ? props.sendgrid().fromEmail() : props.senders().senderFor(channel, r.category());
    String to = channel == Channel.EMAIL ? contact.email() : contact.phone();
    JourneyStep step = r.step() == null ? JourneyStep.NONE : r.step();
    boolean template = channel == Channel.WHATSAPP && !blank(r.contentSid()) && (blank(r.text()) || !insideWhatsAppWindow(contact, clock.instant()));
    if (template) {
      return new Rendered("[template " + r.contentSid() + "]", null, null, from, to, r.contentSid(),
          new SmsSegments.Count(null, 0, 1), props.priceFor(channel, r.category()), List.of());
    }
    if (blank(r.text())) {
      throw new IllegalArgumentException("EMPTY_TEXT: the step has no text to send");
    }
    String body = TemplateRenderer.render(r.text(), contact, r.variables());
    String subject = channel == Channel.EMAIL ? TemplateRenderer.render(blank(r.subject()) ? "Relais" : r.subject(), contact, r.variables()) : null;
    if (channel == Channel.SMS && props.rendering().normalizePunctuation()) {
      body = SmsSegments.normalizePunctuation(body);
    }
    ShortLinks.Shortened shortened = ShortLinks.shorten(body, props.publicBaseUrl(), messageId, contact.id(), channel, step);
    body = shortened.text();
    String html = null;
    if (channel == Channel.SMS && r.category() == MessageCategory.MARKETING && !HAS_STOP.matcher(body).find()) {
      body = body.stripTrailing() + " STOP au " + stopShortCode(from);
    }
    if (channel == Channel.EMAIL) {
      String unsubscribe = r.category() == MessageCategory.MARKETING ? unsubscribeUrl(contact.id()) : null;
      html = EmailBodies.html(body, unsubscribe);
      body = EmailBodies.text(body, unsubscribe);
    }
    SmsSegments.Count count = channel == Channel.SMS ? SmsSegments.count(body) : new SmsSegments.Count(null, 0, 1);
    BigDecimal cost = props.priceFor(channel, r.category()).multiply(BigDecimal.valueOf(count.segments()));
    return new Rendered(body, html, subject, from, to, null, count, cost, shortened.links());
  }

  private String stopShortCode(String sender) {
    return SenderRules.kind(sender) == SenderRules.Kind.SHORT_CODE ? sender : props.senders().sms().stopShortCode();
  }

  private String unsubscribeUrl(String contactId) {
    if (unsubscribeLinks == null) {
      log.warn("No UnsubscribeLinks bean: marketing email to contact {} goes without an unsubscribe link", contactId);
      return null;
    }
    return unsubscribeLinks.urlFor(contactId, Channel.EMAIL).orElse(null);
  }

  // ---------------------------------------------------------------- record

  /**
   * Records the attempt in its own committed transaction. For an external provider the row is
   * PENDING (the call comes after the commit); the simulator has no call to lose, so its
   * "delivery" is written in the same transaction.
   */
  private Recorded record(SendRequest r, String messageId, boolean reclaim, Stop stop, Rendered rendered,
      MessageProvider provider, Instant now) {
    try {
      return newTransaction.execute(tx -> {
        Stop decided = stop;
        if (decided == null && r.category() == MessageCategory.MARKETING) {
          decided = capped(r, now);
        }
        if (decided == null && provider.external()) {
          Instant slot = store.reserveThroughput(rendered.from(), rendered.count().segments(),
              props.throughputFor(rendered.from()), now);
          if (slot.isAfter(now)) {
            decided = new Stop(SendOutcome.DEFERRED, "THROUGHPUT", slot);
          }
        }
        MessageRecord m = row(r, messageId, decided, rendered, provider, now);
        if (decided == null && !provider.external()) {
          MessageProvider.Receipt receipt = provider.send(outbound(r, m, rendered));
          m = withDelivery(m, receipt);
        }
        if (reclaim) {
          if (!store.reclaimFailed(m)) {
            return new Recorded(messages.find(messageId).orElseThrow(), false);
          }
        } else {
          messages.insert(m);
        }
        if (decided != null && decided.notBefore() != null) {
          store.setNotBefore(messageId, decided.notBefore());
        }
        if (decided == null) {
          rendered.links().forEach(link -> store.insertLink(link, now));
        }
        return new Recorded(m, true);
      });
    } catch (DuplicateKeyException e) {
      // the step's key has a row (a retry, or the same step running twice at once); the transaction rolled back
      MessageRecord existing = messages.findByIdempotencyKey(r.idempotencyKey()).orElseThrow(() -> e);
      if (reclaim) {
        return new Recorded(existing, false);
      }
      throw new KeyTaken(existing);
    }
  }

  private Stop capped(SendRequest r, Instant now) {
    return overCap(r.contactId(), r.channel(), now, 0, "");
  }

  /**
   * The contact's marketing caps on this channel, counted under its lock.
   *
   * @param counted how many of the counted messages are the one being decided (already recorded)
   */
  private Stop overCap(String contactId, Channel channel, Instant now, int counted, String when) {
    List<FrequencyCap> channelCaps = caps.computeIfAbsent(channel, props::capsFor);
    if (channelCaps.isEmpty()) {
      return null;
    }
    store.lockContactChannel(contactId, channel, now);
    int[] counts = store.countMarketingSince(contactId, channel, channelCaps.stream().map(cap -> now.minus(cap.period())).toList());
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] - counted >= channelCaps.get(i).max()) {
        return new Stop(SendOutcome.CAPPED, "FREQUENCY_CAP " + channelCaps.get(i) + when, null);
      }
    }
    return null;
  }

  private MessageRecord row(SendRequest r, String id, Stop stop, Rendered rendered, MessageProvider provider, Instant now) {
    JourneyStep step = r.step() == null ? JourneyStep.NONE : r.step();
    String status = stop == null ? "PENDING" : stop.outcome().name();
    return new MessageRecord(id, r.contactId(), Direction.OUT, r.channel(), r.category().name(), status,
        rendered == null ? null : rendered.body(), rendered == null ? null : rendered.from(), rendered == null ? null : rendered.to(),
        stop == null ? provider.name() : null, null, r.idempotencyKey(), step.processInstanceId(), step.journeyKey(),
        step.journeyVersion(), step.stepId(), r.variant(), rendered == null ? null : rendered.count().segments(),
        rendered == null ? null : rendered.count().encoding(), rendered == null || stop != null ? null : rendered.cost(),
        stop == null ? null : truncate(stop.reason()), null, now, now);
  }

  // ---------------------------------------------------------------- send and outcome

  /** Hands a recorded PENDING message to its provider and records what came back (the job path). */
  SendResult deliver(MessageRecord m, MessageProvider.OutboundMessage outbound, MessageProvider provider) {
    return deliver(m, outbound, provider, () -> {});
  }

  /**
   * The same; {@code settled} runs in the transaction that records the provider's acceptance or its
   * opt-out answer (the outbox removes its row there: one commit instead of two, and no moment
   * where the answer is recorded but the row still waits).
   */
  SendResult deliver(MessageRecord m, MessageProvider.OutboundMessage outbound, MessageProvider provider, Runnable settled) {
    try {
      MessageProvider.Receipt receipt = provider.send(outbound);
      newTransaction.executeWithoutResult(tx -> {
        store.recordProviderResult(m.id(), receipt.status(), provider.name(), receipt.providerId(), null, null, clock.instant());
        settled.run();
      });
      events.publishEvent(new MessageSentEvent(m.id(), m.contactId(), m.channel()));
      return new SendResult(SendOutcome.SENT, null, m.id(), null);
    } catch (MessageProvider.ProviderException e) {
      if (e.outcomeUnknown()) {
        return unknown(m, provider, e.code(), e.getMessage());
      }
      if (e.optedOut()) {
        newTransaction.executeWithoutResult(tx -> {
          store.recordProviderResult(m.id(), SendOutcome.NO_CONSENT.name(), provider.name(), null, e.code(), "OPTED_OUT_AT_PROVIDER",
              clock.instant());
          settled.run();
        });
        consentChanges.withdraw(m.contactId(), m.channel(), null, ConsentMethod.PROVIDER, provider.name().toLowerCase(Locale.ROOT), m.id());
        return new SendResult(SendOutcome.NO_CONSENT, "OPTED_OUT_AT_PROVIDER", m.id(), null);
      }
      return failed(m, provider, e.code(), e.getMessage());
    } catch (RuntimeException e) {
      return failed(m, provider, "PROVIDER_ERROR", "PROVIDER_ERROR: " + e.getMessage());
    }
  }

  private static MessageProvider.OutboundMessage outbound(SendRequest r, MessageRecord m, Rendered rendered) {
    return new MessageProvider.OutboundMessage(m.id(), m.contactId(), m.channel(), r.category(),
        rendered.from(), rendered.to(), rendered.body(), rendered.html(), rendered.subject(), rendered.contentSid(),
        r.step() == null ? JourneyStep.NONE : r.step());
  }

  private static MessageRecord withDelivery(MessageRecord m, MessageProvider.Receipt receipt) {
    return with(m, receipt.status(), receipt.providerId());
  }

  private static MessageRecord with(MessageRecord m, String status, String providerId) {
    return new MessageRecord(m.id(), m.contactId(), m.direction(), m.channel(), m.category(), status, m.body(),
        m.fromAddress(), m.toAddress(), m.provider(), providerId, m.idempotencyKey(), m.processInstanceId(),
        m.journeyKey(), m.journeyVersion(), m.stepId(), m.variant(), m.segments(), m.encoding(), m.cost(), m.reason(),
        m.errorCode(), m.createdAt(), m.updatedAt());
  }

  private SendResult failed(MessageRecord m, MessageProvider provider, String code, String reason) {
    log.warn("Send of message {} through {} failed: {}", m.id(), provider.name(), reason);
    newTransaction.executeWithoutResult(tx ->
        store.recordProviderResult(m.id(), "FAILED", provider.name(), null, truncateCode(code), truncate(reason), clock.instant()));
    return new SendResult(SendOutcome.FAILED, truncate(reason), m.id(), null);
  }

  /**
   * The request may have reached the provider (time-out or reset after it was written): the row
   * becomes UNKNOWN, which no retry reclaims (no second message), and the step fails so that the job
   * ends as an incident an operator resolves; a later status callback settles the row.
   */
  private SendResult unknown(MessageRecord m, MessageProvider provider, String code, String reason) {
    log.warn("Send of message {} through {}: outcome unknown ({}); not resent, check the provider's logs", m.id(), provider.name(), code);
    String why = truncate(OUTCOME_UNKNOWN + ": " + reason);
    newTransaction.executeWithoutResult(tx ->
        store.recordProviderResult(m.id(), DeliveryStatus.UNKNOWN, provider.name(), null, truncateCode(code), why, clock.instant()));
    if (unknownOutcomes != null) {
      unknownOutcomes.providerDidNotAnswer();
    }
    return new SendResult(SendOutcome.FAILED, why, m.id(), null);
  }

  /** The reason prefix of a message whose provider outcome is unknown. */
  static final String OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN";

  /** The outcome a recorded message stands for (the answer to a repeated request). */
  SendResult resultOf(MessageRecord m) {
    return switch (m.status()) {
      case "NO_CONSENT", "SUPPRESSED", "CAPPED", "FAILED" -> new SendResult(SendOutcome.valueOf(m.status()), m.reason(), m.id(), null);
      // may have gone: never resent; the step keeps failing (incident) until a callback settles the row or an operator decides
      case DeliveryStatus.UNKNOWN -> new SendResult(SendOutcome.FAILED, m.reason(), m.id(), null);
      case "DEFERRED" -> new SendResult(SendOutcome.DEFERRED, m.reason(), m.id(), store.notBefore(m.id()).orElse(null));
      default -> new SendResult(SendOutcome.SENT, null, m.id(), null);
    };
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String truncate(String s) {
    return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
  }

  private static String truncateCode(String s) {
    return s == null || s.length() <= 32 ? s : s.substring(0, 32);
  }
}
