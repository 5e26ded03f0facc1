package io.relais.outbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.platform.AfterCommit;
import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.camunda.bpm.engine.ProcessEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Messages recorded in a journey's own transaction ({@link CompliantSendPipeline#queue}), handed
 * to Twilio or SendGrid once that transaction committed. A message is QUEUED with a row in
 * {@code message_outbox}; after the commit this node's dispatcher threads take it at once, and a
 * poll on every node ({@code relais.send.outbox.poll-interval}) takes whatever is due and left:
 * after a crash, a full queue, a retry's wait.
 *
 * <p>Taking a message is one transaction: the outbox row is locked, consent, quiet hours and the
 * frequency caps are checked again (a STOP or the evening may have come since the journey queued
 * it: the message then ends NO_CONSENT, SUPPRESSED or CAPPED, or waits for the morning; one that
 * goes is dated when it leaves, so that the caps count it from then), the sender's throughput is reserved
 * (or the row waits for its turn), the message becomes PENDING and the row is kept, due again when
 * the call must be over (the provider's time-outs: a lease). Only then is the provider called, as
 * the job path does, and the row deleted once the answer is recorded. A dispatcher that dies during
 * the call leaves the message PENDING and its row due after the lease: the next dispatcher asks the
 * provider, as a retried job does (found: SENT; not found: sent; the provider cannot tell: left
 * PENDING, which {@link UnknownOutcomes} declares UNKNOWN, never resent). A provider that refused it, or could not
 * be reached, gets it again ({@code relais.send.outbox.max-attempts}, waits doubling from
 * {@code relais.send.outbox.first-retry}); after the last attempt, or when the outcome is unknown,
 * the message stays FAILED or UNKNOWN and an incident of type {@value #INCIDENT_TYPE} is raised
 * on its journey, which went on when it queued the message.
 */
@Component
public class SendOutbox {

  private static final Logger log = LoggerFactory.getLogger(SendOutbox.class);

  /** The status of a message recorded with its journey and not yet taken by a dispatcher. */
  public static final String QUEUED = "QUEUED";
  /** The incident raised on a journey whose queued message could not be sent. */
  public static final String INCIDENT_TYPE = "relaisSendFailed";

  /**
   * A message this dispatcher took: PENDING, with what its provider call needs; {@code inDoubt}
   * when an earlier dispatcher took it and died during its call (its lease ran out).
   */
  private record Claim(MessageRecord message, String subject, String html, String contentSid, int attempts, boolean inDoubt) {}

  private final CompliantSendPipeline pipeline;
  private final MessageLog messages;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final ObjectProvider<ProcessEngine> engine;
  private final Duration lease;
  private final int maxAttempts;
  private final Duration firstRetry;
  private final int batch;
  private final ThreadPoolExecutor dispatchers;
  private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicInteger waiting = new AtomicInteger();
  private Counter incidents;

  /** Gauge of the metric name: messages in the outbox (queued, leased or waiting for a retry), refreshed by each poll. */
  static final String GAUGE = "relais.outbound.outbox.messages";
  /** Counter of the metric name: queued messages given up (an incident raised on their journey). */
  static final String COUNTER = "relais.outbound.outbox.failed";

  public SendOutbox(CompliantSendPipeline pipeline, MessageLog messages, JdbcTemplate jdbc, PlatformTransactionManager transactions,
      Clock clock, ObjectProvider<ProcessEngine> engine, DeliveryProperties delivery,
      @Value("${relais.send.outbox.threads:8}") int threads,
      @Value("${relais.send.outbox.queue-capacity:10000}") int queueCapacity,
      @Value("${relais.send.outbox.max-attempts:5}") int maxAttempts,
      @Value("${relais.send.outbox.first-retry:PT30S}") Duration firstRetry,
      @Value("${relais.send.outbox.batch:500}") int batch) {
    if (maxAttempts < 1 || threads < 1 || queueCapacity < 1 || batch < 1) {
      throw new IllegalStateException("relais.send.outbox.threads, queue-capacity, max-attempts and batch must be at least 1");
    }
    this.pipeline = pipeline;
    this.messages = messages;
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.clock = clock;
    this.engine = engine;
    // a provider call cannot last longer than its time-outs: past them, its dispatcher died
    this.lease = delivery.connectTimeout().plus(delivery.responseTimeout()).plusSeconds(5);
    this.maxAttempts = maxAttempts;
    this.firstRetry = firstRetry;
    this.batch = batch;
    AtomicInteger n = new AtomicInteger();
    this.dispatchers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(queueCapacity), r -> {
      Thread t = new Thread(r, "relais-outbox-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pipeline.setOutbox(this);
  }

  @Autowired(required = false)
  void setMeterRegistry(MeterRegistry registry) {
    Gauge.builder(GAUGE, waiting, AtomicInteger::get)
        .description("Messages recorded with their journey and not yet settled by a provider (queued, under way, or waiting for a retry)")
        .register(registry);
    incidents = Counter.builder(COUNTER)
        .description("Queued messages given up after their attempts or with an unknown outcome (an incident on the journey)")
        .register(registry);
  }

  /** Records a QUEUED message's provider payload in the caller's transaction; dispatched after its commit. */
  void add(String messageId, String subject, String html, String contentSid, Instant now) {
    jdbc.update("insert into message_outbox (message_id, subject, html, content_sid, attempts, due_at) values (?, ?, ?, ?, 0, ?)",
        messageId, subject, html, contentSid, Timestamp.from(now));
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      AfterCommit.run(() -> submit(messageId));
    }
    // without a transaction the poll takes it
  }

  /** Takes what is due and not already being handed over by this node. */
  @Scheduled(fixedDelayString = "${relais.send.outbox.poll-interval:PT1S}", initialDelayString = "${relais.send.outbox.poll-interval:PT1S}")
  public void poll() {
    try {
      waiting.set(size());
      int free = dispatchers.getQueue().remainingCapacity();
      if (free == 0) {
        return;
      }
      List<String> due = jdbc.queryForList("select message_id from message_outbox where due_at <= ? order by due_at limit ?",
          String.class, Timestamp.from(clock.instant()), batch + inFlight.size());
      int submitted = 0;
      for (String id : due) {
        if (submitted >= Math.min(batch, free)) {
          break;
        }
        if (submit(id)) {
          submitted++;
        }
      }
    } catch (RuntimeException e) {
      log.warn("Send outbox poll failed: {}", e.toString());
    }
  }

  /** Messages in the outbox (due or waiting), for the metrics and the tests. */
  public int size() {
    Integer n = jdbc.queryForObject("select count(*) from message_outbox", Integer.class);
    return n == null ? 0 : n;
  }

  private boolean submit(String messageId) {
    if (!inFlight.add(messageId)) {
      return false;
    }
    try {
      dispatchers.execute(() -> {
        try {
          dispatch(messageId);
        } catch (RuntimeException e) {
          log.warn("Dispatch of queued message {} failed: {}; the poll takes it again", messageId, e.toString());
        } finally {
          inFlight.remove(messageId);
        }
      });
      return true;
    } catch (RejectedExecutionException full) {
      inFlight.remove(messageId); // the poll takes it when there is room
      return false;
    }
  }

  /** Takes one queued message, if it is still there and due, and hands it to its provider. */
  void dispatch(String messageId) {
    Claim claim = tx.execute(status -> claim(messageId, clock.instant()));
    if (claim == null) {
      return;
    }
    MessageRecord m = claim.message();
    MessageProvider provider = pipeline.providerFor(m.channel());
    if (claim.inDoubt() && settledByTheProvider(m, provider)) {
      return;
    }
    JourneyStep step = new JourneyStep(m.processInstanceId(), m.journeyKey(), m.journeyVersion(), m.stepId());
    SendResult result = pipeline.deliver(m, new MessageProvider.OutboundMessage(m.id(), m.contactId(), m.channel(),
        MessageCategory.valueOf(m.category()), m.fromAddress(), m.toAddress(), m.body(), claim.html(), claim.subject(),
        claim.contentSid(), step), provider, () -> delete(messageId));
    if (result.outcome() != SendOutcome.FAILED) {
      return; // the row went with the recorded answer
    }
    boolean unknown = result.reason() != null && result.reason().startsWith(CompliantSendPipeline.OUTCOME_UNKNOWN);
    if (!unknown && claim.attempts() < maxAttempts && requeue(claim)) {
      return;
    }
    tx.executeWithoutResult(status -> delete(messageId));
    raiseIncident(m, "Message " + m.id() + " (" + m.channel() + ", step " + m.stepId() + ") was not sent after "
        + claim.attempts() + " attempt(s): " + result.reason());
  }

  /**
   * A message whose dispatcher died during the call: the provider is asked, as a retried job asks
   * it. Found there: SENT, not sent again. Not found: false, it is sent now. When the provider
   * cannot tell, it stays PENDING (counted as sent; {@link UnknownOutcomes} declares it UNKNOWN
   * later), never sent twice.
   */
  private boolean settledByTheProvider(MessageRecord m, MessageProvider provider) {
    MessageProvider.Lookup lookup = provider.lookup(new MessageProvider.InDoubt(m.id(), m.channel(), m.fromAddress(),
        m.toAddress(), m.body(), m.createdAt()));
    switch (lookup.kind()) {
      case FOUND -> {
        tx.executeWithoutResult(status -> {
          pipeline.settleInDoubt(m.id(), "SENT", lookup.providerId());
          delete(m.id());
        });
        log.info("Queued message {} in doubt was found at {}: SENT, not sent again", m.id(), provider.name());
        return true;
      }
      case NOT_FOUND -> {
        log.warn("Queued message {} in doubt is not at {}: sent again", m.id(), provider.name());
        return false;
      }
      default -> {
        tx.executeWithoutResult(status -> delete(m.id()));
        log.warn("Queued message {} in doubt and {} cannot tell: left PENDING, not sent again", m.id(), provider.name());
        return true;
      }
    }
  }

  private Claim claim(String messageId, Instant now) {
    List<Claim> rows = jdbc.query("select subject, html, content_sid, attempts, due_at from message_outbox where message_id = ? for update",
        (rs, i) -> rs.getTimestamp(5).toInstant().isAfter(now) ? null
            : new Claim(null, rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4), false), messageId);
    if (rows.isEmpty() || rows.get(0) == null) {
      return null; // taken by another dispatcher, or not due yet
    }
    Claim row = rows.get(0);
    MessageRecord m = messages.find(messageId).orElse(null);
    if (m != null && ("PENDING".equals(m.status()) || DeliveryStatus.UNKNOWN.equals(m.status()))) {
      // taken before, and its dispatcher died during the call (the lease ran out): ask the provider
      leaseUntil(messageId, now.plus(lease));
      return new Claim(m, row.subject(), row.html(), row.contentSid(), row.attempts(), true);
    }
    if (m == null || !QUEUED.equals(m.status())) {
      delete(messageId); // erased, or its answer recorded by a dispatcher that died before this row's deletion
      return null;
    }
    CompliantSendPipeline.Stop stop = pipeline.recheck(m, now);
    if (stop != null && stop.outcome() != SendOutcome.DEFERRED) {
      delete(messageId);
      jdbc.update("update message set status = ?, reason = ?, cost = null, updated_at = ? where id = ? and status = ?",
          stop.outcome().name(), stop.reason(), Timestamp.from(now), messageId, QUEUED);
      log.info("Queued message {} not sent: {} since it was queued", messageId, stop.reason());
      return null;
    }
    Instant wait = stop != null ? stop.notBefore() : pipeline.reserveThroughput(m, now);
    if (wait.isAfter(now)) {
      leaseUntil(messageId, wait);
      return null;
    }
    // the row stays, due again when the call must be over: if this dispatcher dies, another asks the provider
    jdbc.update("update message_outbox set attempts = attempts + 1, due_at = ? where message_id = ?",
        Timestamp.from(now.plus(lease)), messageId);
    jdbc.update("update message set status = 'PENDING', updated_at = ? where id = ? and status = ?", Timestamp.from(now), messageId, QUEUED);
    return new Claim(messages.find(messageId).orElseThrow(), row.subject(), row.html(), row.contentSid(), row.attempts() + 1, false);
  }

  private void leaseUntil(String messageId, Instant due) {
    jdbc.update("update message_outbox set due_at = ? where message_id = ?", Timestamp.from(due), messageId);
  }

  private void delete(String messageId) {
    jdbc.update("delete from message_outbox where message_id = ?", messageId);
  }

  /** FAILED → QUEUED again, due after this attempt's wait; false if the message moved on meanwhile. */
  private boolean requeue(Claim claim) {
    Instant now = clock.instant();
    Instant due = now.plus(firstRetry.multipliedBy(1L << Math.min(20, claim.attempts() - 1)));
    Boolean done = tx.execute(status -> {
      if (jdbc.update("update message set status = ?, updated_at = ? where id = ? and status = 'FAILED'",
          QUEUED, Timestamp.from(now), claim.message().id()) != 1) {
        return false;
      }
      leaseUntil(claim.message().id(), due);
      return true;
    });
    if (Boolean.TRUE.equals(done)) {
      log.info("Queued message {} failed attempt {} of {}; next at {}", claim.message().id(), claim.attempts(), maxAttempts, due);
    }
    return Boolean.TRUE.equals(done);
  }

  private void raiseIncident(MessageRecord m, String text) {
    log.warn("{}", text);
    if (incidents != null) {
      incidents.increment();
    }
    if (m.processInstanceId() == null) {
      return;
    }
    try {
      engine.getObject().getRuntimeService().createIncident(INCIDENT_TYPE, m.processInstanceId(), m.id(), text);
    } catch (RuntimeException e) {
      log.warn("No incident for message {}: its journey {} is gone ({})", m.id(), m.processInstanceId(), e.toString());
    }
  }

  @PreDestroy
  void stop() throws InterruptedException {
    dispatchers.shutdown();
    dispatchers.awaitTermination(10, TimeUnit.SECONDS);
  }
}
