package io.relais.inbound;

import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import jakarta.annotation.PreDestroy;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Processes stored inbound messages: compliance keywords first, then classification and routing.
 * Each message is taken with a claim in the database (so two nodes never both process it), a
 * contact's messages in arrival order; the work starts right after the store commits and a
 * sweeper takes over whatever is left (a crash, a reply kept for a journey not yet waiting).
 */
@Component
public class InboundProcessor {

  private static final Logger log = LoggerFactory.getLogger(InboundProcessor.class);
  private static final int MAX_OPTIMISTIC_RETRIES = 5;

  private final InboundQueue queue;
  private final InboundStore store;
  private final MessageLog messageLog;
  private final KeywordCompliance compliance;
  private final ConversationRouter router;
  private final ReplyClassifier classifier;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final InboundProperties properties;
  private final String owner = "inbound-" + UUID.randomUUID();
  private final ExecutorService workers;
  /** Contacts queued or being drained on this node: TRUE when a new look was asked meanwhile. */
  private final ConcurrentHashMap<String, Boolean> inFlight = new ConcurrentHashMap<>();

  InboundProcessor(InboundQueue queue, InboundStore store, MessageLog messageLog, KeywordCompliance compliance,
      ConversationRouter router, ReplyClassifier classifier, PlatformTransactionManager transactionManager, Clock clock,
      InboundProperties properties) {
    this.queue = queue;
    this.store = store;
    this.messageLog = messageLog;
    this.compliance = compliance;
    this.router = router;
    this.classifier = classifier;
    this.tx = new TransactionTemplate(transactionManager);
    this.clock = clock;
    this.properties = properties;
    AtomicInteger n = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(properties.workers(), properties.workers(), 60, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(10_000), r -> {
          Thread t = new Thread(r, "relais-inbound-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Processes a contact's waiting messages soon, on a worker thread (after the store committed).
   * A contact already queued or being drained on this node is not queued twice: the running drain
   * looks again before it ends, so a message arriving meanwhile is not left behind.
   */
  void dispatch(String contactId) {
    boolean[] submit = {false};
    inFlight.compute(contactId, (k, again) -> {
      submit[0] = again == null;
      return again == null ? Boolean.FALSE : Boolean.TRUE;
    });
    if (!submit[0]) {
      return;
    }
    try {
      workers.execute(() -> drainDispatched(contactId));
    } catch (RejectedExecutionException e) {
      inFlight.remove(contactId);
      log.warn("Inbound workers saturated: contact {} left to the sweeper", contactId);
    }
  }

  private void drainDispatched(String contactId) {
    try {
      boolean again = true;
      while (again) {
        drain(contactId);
        // atomically: done unless a dispatch asked for another look meanwhile
        again = inFlight.compute(contactId, (k, asked) -> Boolean.TRUE.equals(asked) ? Boolean.FALSE : null) != null;
      }
    } catch (RuntimeException e) {
      inFlight.remove(contactId);
      log.warn("Inbound drain of contact {} stopped: {}", contactId, e.toString());
    }
  }

  /** Processes, in order, every message of the contact that may be processed now; returns how many. */
  public int drain(String contactId) {
    int done = 0;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (InboundQueue.Row row : queue.claimable(contactId)) {
        if (!process(row)) {
          // kept for later, failed, or taken by another worker: a later reply must not overtake
          // it, so look again (the claim query holds back what must wait)
          break;
        }
        done++;
        progress = true;
      }
    }
    return done;
  }

  /** Takes over due messages nobody finished (every node runs it; claims keep it exclusive). */
  @Scheduled(initialDelayString = "${relais.inbound.sweep-initial-delay-ms:5000}", fixedDelayString = "${relais.inbound.sweep-interval-ms:1000}")
  public void sweep() {
    Set<String> contacts = new LinkedHashSet<>();
    for (InboundQueue.Row row : queue.due(200)) {
      contacts.add(row.contactId());
    }
    contacts.forEach(this::dispatch);
  }

  /**
   * Runs one message to its end; false if it was kept for a later attempt or another worker has
   * it. The common case (no compliance keyword, or an ambiguous one that changes nothing) is one
   * transaction: lock the queue row, route, finish. A compliance keyword that changes consent
   * commits that change first, then confirms under a claim lease (the confirmation is a provider
   * call that must not run inside a database transaction).
   */
  boolean process(InboundQueue.Row row) {
    try {
      Optional<MessageRecord> found = messageLog.find(row.messageId());
      if (found.isEmpty()) {
        queue.remove(row.messageId());
        return true;
      }
      MessageRecord m = found.get();
      Optional<ComplianceKeyword> keyword = ComplianceKeyword.of(m.body());
      if (row.stage() == InboundQueue.Stage.ROUTE || row.stage() == InboundQueue.Stage.NEW) {
        Outcome outcome = routeLocked(m, keyword);
        if (outcome != Outcome.COMPLIANCE) {
          return outcome == Outcome.DONE;
        }
      }
      if (!queue.claim(row.messageId(), owner, clock.instant().plus(properties.claimLease()))) {
        return false;
      }
      InboundQueue.Stage stage = queue.stage(row.messageId()).orElse(null);
      if (stage == InboundQueue.Stage.CONFIRM || stage == InboundQueue.Stage.CONFIRM_ROUTE) {
        compliance.confirm(keyword.orElseThrow(), m);
        if (stage == InboundQueue.Stage.CONFIRM) {
          String reason = "compliance keyword " + keyword.get();
          tx.executeWithoutResult(s -> finish(m.id(), null, null, reason));
          return true;
        }
        queue.setStage(m.id(), InboundQueue.Stage.ROUTE);
        queue.release(m.id());
        return routeLocked(m, keyword) == Outcome.DONE;
      }
      queue.release(m.id());
      return false;
    } catch (RuntimeException e) {
      log.warn("Inbound message {} not processed yet (attempt {}): {}", row.messageId(), row.attempts() + 1, e.toString());
      postponeOrPark(row, e.toString());
      return false;
    }
  }

  /** What the single-transaction path did with a message. */
  private enum Outcome {
    /** routed (or kept only in the transcript) and finished */
    DONE,
    /** kept for a journey that does not wait yet: tried again later */
    LATER,
    /** another worker has the message */
    BUSY,
    /** a compliance keyword changed consent: the confirmation remains to be sent */
    COMPLIANCE
  }

  private Outcome routeLocked(MessageRecord m, Optional<ComplianceKeyword> keyword) {
    ReplyClassification c = classifier.classification(m.body());
    boolean continueJourney = properties.continueInRouting();
    for (int attempt = 1; ; attempt++) {
      boolean continuing = continueJourney;
      try {
        Outcome outcome = tx.execute(s -> {
          Optional<InboundQueue.Stage> stage = queue.lockInTransaction(m.id());
          if (stage.isEmpty() || stage.get() == InboundQueue.Stage.CONFIRM || stage.get() == InboundQueue.Stage.CONFIRM_ROUTE) {
            return Outcome.BUSY; // another worker has it, or its confirmation is under way
          }
          if (stage.get() == InboundQueue.Stage.NEW && keyword.isPresent()) {
            // the consent change commits on its own, before any journey sees the message
            InboundQueue.Stage next = compliance.act(keyword.get(), m);
            if (next != InboundQueue.Stage.ROUTE) {
              queue.setStage(m.id(), next);
              return Outcome.COMPLIANCE;
            }
          }
          ConversationRouter.Route r = router.route(m, c, continuing);
          if (r.pending()) {
            s.setRollbackOnly();
            return Outcome.LATER;
          }
          finish(m.id(), r.processInstanceId(), r.journeyKey(), describe(r, c));
          return Outcome.DONE;
        });
        if (outcome == Outcome.LATER) {
          queue.postpone(m.id(), clock.instant().plus(properties.retryDelay()), "journey not waiting yet");
        }
        return outcome;
      } catch (OptimisticLockingException e) {
        if (attempt >= MAX_OPTIMISTIC_RETRIES) {
          throw e;
        }
      } catch (RuntimeException e) {
        if (!continuing) {
          throw e;
        }
        // the journey's next steps failed with the routing (or anything else did): route again
        // without them, so that they are a job of the journey's own, retried and, if they keep
        // failing, an incident on the journey, where its operator looks
        continueJourney = false;
        log.info("Inbound message {}: routing with the journey's next steps failed ({}); routed again, those steps left to a job",
            m.id(), e.toString());
      }
    }
  }

  /**
   * Tries the message again later with a growing delay; after {@code relais.inbound.max-attempts}
   * failures it is parked: kept in the transcript and the queue, no longer retried, counted, and
   * listed for an operator, who can retry it ({@link #retryParked}).
   */
  private void postponeOrPark(InboundQueue.Row row, String error) {
    if (queue.failed(row.messageId(), row.attempts(), clock.instant().plus(backoff(row.attempts())), error, properties.maxAttempts())) {
      log.error("Inbound message {} parked after {} failed attempts: {}", row.messageId(), properties.maxAttempts(), error);
    }
  }

  /** Puts parked messages back in the queue (an operator fixed the cause); returns how many. */
  public int retryParked() {
    return queue.unpark(clock.instant());
  }

  /**
   * Puts one parked message back and processes its contact's messages soon; false if no message
   * with that id is parked.
   */
  public boolean retryParked(String messageId) {
    Optional<MessageRecord> message = messageLog.find(messageId);
    if (message.isEmpty() || !queue.unpark(messageId, clock.instant())) {
      return false;
    }
    dispatch(message.get().contactId());
    return true;
  }

  /** Messages parked after too many failures (monitoring). */
  public int parked() {
    return queue.parkedCount();
  }

  private void finish(String messageId, String processInstanceId, String journeyKey, String reason) {
    store.markProcessed(messageId, processInstanceId, journeyKey, null, reason);
    queue.remove(messageId);
  }

  private static String describe(ConversationRouter.Route r, ReplyClassification c) {
    return switch (r.kind()) {
      case ConversationRouter.Route.REPLY -> "reply to journey " + r.journeyKey() + ", intent " + c.intent();
      case ConversationRouter.Route.STARTED -> "started journey " + r.journeyKey() + ", intent " + c.intent();
      default -> "no journey waits and none starts on ConversationStarted: kept in the transcript only";
    };
  }

  private java.time.Duration backoff(int attempts) {
    return properties.retryDelay().multipliedBy(Math.min(60, 1L << Math.min(attempts, 6)));
  }

  /** Whether this node has the contact queued or being drained on a worker (tests wait for it to end). */
  boolean dispatching(String contactId) {
    return inFlight.containsKey(contactId);
  }

  /** Messages of a contact not processed yet. */
  public int unfinished(String contactId) {
    return queue.pending(contactId);
  }

  @PreDestroy
  void stop() {
    workers.shutdown();
  }
}
