package io.relais.inbound;

import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
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

  /** Processes a contact's waiting messages soon, on a worker thread (after the store committed). */
  void dispatch(String contactId) {
    try {
      workers.execute(() -> drain(contactId));
    } catch (RejectedExecutionException e) {
      log.warn("Inbound workers saturated: contact {} left to the sweeper", contactId);
    }
  }

  /** Processes, in order, every message of the contact that may be processed now; returns how many. */
  public int drain(String contactId) {
    int done = 0;
    boolean progress = true;
    while (progress) {
      progress = false;
      for (InboundQueue.Row row : queue.claimable(contactId)) {
        if (queue.claim(row.messageId(), owner, clock.instant().plus(properties.claimLease()))) {
          // a message kept for later holds back the contact's later replies (the claim query
          // says so), but not its compliance keywords, which are in this list
          if (process(row)) {
            done++;
            progress = true;
          }
        }
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

  /** Runs one claimed message to its end; false if it was kept for a later attempt. */
  boolean process(InboundQueue.Row row) {
    try {
      Optional<MessageRecord> found = messageLog.find(row.messageId());
      if (found.isEmpty()) {
        queue.remove(row.messageId());
        return true;
      }
      MessageRecord m = found.get();
      Optional<ComplianceKeyword> keyword = ComplianceKeyword.of(m.body());
      InboundQueue.Stage stage = row.stage();
      if (stage == InboundQueue.Stage.NEW && keyword.isPresent()) {
        // the consent change commits on its own, whatever happens next
        stage = tx.execute(s -> {
          InboundQueue.Stage next = compliance.act(keyword.get(), m);
          queue.setStage(m.id(), next);
          return next;
        });
      }
      if (stage == InboundQueue.Stage.CONFIRM || stage == InboundQueue.Stage.CONFIRM_ROUTE) {
        compliance.confirm(keyword.orElseThrow(), m);
        if (stage == InboundQueue.Stage.CONFIRM) {
          String reason = "compliance keyword " + keyword.get();
          tx.executeWithoutResult(s -> finish(m.id(), null, null, reason));
          return true;
        }
        queue.setStage(m.id(), InboundQueue.Stage.ROUTE);
      }
      return routeWithRetries(m);
    } catch (RuntimeException e) {
      log.warn("Inbound message {} not processed yet (attempt {}): {}", row.messageId(), row.attempts() + 1, e.toString());
      queue.postpone(row.messageId(), clock.instant().plus(backoff(row.attempts())), e.toString());
      return false;
    }
  }

  private boolean routeWithRetries(MessageRecord m) {
    ReplyClassification c = classifier.classification(m.body());
    for (int attempt = 1; ; attempt++) {
      try {
        ConversationRouter.Route route = tx.execute(s -> {
          ConversationRouter.Route r = router.route(m, c);
          if (!r.pending()) {
            finish(m.id(), r.processInstanceId(), r.journeyKey(), describe(r, c));
          }
          return r;
        });
        if (route.pending()) {
          queue.postpone(m.id(), clock.instant().plus(properties.retryDelay()), "journey " + route.processInstanceId() + " not waiting yet");
          return false;
        }
        return true;
      } catch (OptimisticLockingException e) {
        if (attempt >= MAX_OPTIMISTIC_RETRIES) {
          throw e;
        }
      }
    }
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

  /** Messages of a contact not processed yet. */
  public int unfinished(String contactId) {
    return queue.pending(contactId);
  }

  @PreDestroy
  void stop() {
    workers.shutdown();
  }
}
