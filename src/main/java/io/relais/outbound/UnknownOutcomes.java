package io.relais.outbound;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Messages whose provider outcome is unknown. A node that dies between the PENDING record and the
 * provider's answer leaves the message PENDING; this check, run on every node, declares messages
 * PENDING for longer than {@code relais.delivery.pending-timeout} UNKNOWN. It never resends (the
 * message may have gone). Each row changes with a conditional update ({@code where status =
 * 'PENDING'}), so across nodes each message is declared, counted and logged exactly once.
 *
 * <p>Metrics: counter {@code relais.outbound.unknown} (tag {@code cause}: {@code no_answer} for a
 * provider call that timed out or was reset after the request left, {@code stale_pending} for this
 * check) and gauge {@code relais.outbound.messages.unknown} (UNKNOWN messages in the database,
 * refreshed by each check). A later Twilio or SendGrid status callback still settles an UNKNOWN
 * message.
 */
@Component
public class UnknownOutcomes {

  private static final Logger log = LoggerFactory.getLogger(UnknownOutcomes.class);
  static final String COUNTER = "relais.outbound.unknown";
  static final String GAUGE = "relais.outbound.messages.unknown";
  static final int BATCH = 500;

  private final OutboundStore store;
  private final DeliveryProperties delivery;
  private final Clock clock;
  private final Counter noAnswer;
  private final Counter stalePending;
  private final AtomicInteger unknownMessages = new AtomicInteger();

  public UnknownOutcomes(OutboundStore store, DeliveryProperties delivery, Clock clock, MeterRegistry registry) {
    this.store = store;
    this.delivery = delivery;
    this.clock = clock;
    this.noAnswer = Counter.builder(COUNTER).tag("cause", "no_answer")
        .description("Provider calls whose outcome is unknown (time-out or reset after the request left)").register(registry);
    this.stalePending = Counter.builder(COUNTER).tag("cause", "stale_pending")
        .description("Messages left PENDING past relais.delivery.pending-timeout").register(registry);
    Gauge.builder(GAUGE, unknownMessages, AtomicInteger::get)
        .description("Messages whose delivery outcome is unknown (not resent; an operator or a late callback settles them)")
        .register(registry);
  }

  void providerDidNotAnswer() {
    noAnswer.increment();
    unknownMessages.incrementAndGet();
  }

  @Scheduled(initialDelayString = "${relais.delivery.pending-check-initial-delay:PT1M}",
      fixedDelayString = "${relais.delivery.pending-check-interval:PT1M}")
  public void scheduledCheck() {
    try {
      declareStalePending();
    } catch (RuntimeException e) {
      log.warn("Stale PENDING check failed: {}", e.toString());
    }
  }

  /** Declares messages PENDING since before now − pending-timeout UNKNOWN; returns how many this node changed. */
  public int declareStalePending() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(delivery.pendingTimeout());
    String reason = CompliantSendPipeline.OUTCOME_UNKNOWN + ": still PENDING after " + delivery.pendingTimeout()
        + " (no provider answer recorded); not resent";
    int changed = 0;
    for (String id : store.stalePending(cutoff, BATCH)) {
      if (store.markUnknown(id, cutoff, reason, now)) {
        changed++;
        stalePending.increment();
        log.warn("Message {} still PENDING after {}: declared UNKNOWN (it may or may not have reached the customer; not resent)",
            id, delivery.pendingTimeout());
      }
    }
    unknownMessages.set(store.countUnknown());
    return changed;
  }
}
