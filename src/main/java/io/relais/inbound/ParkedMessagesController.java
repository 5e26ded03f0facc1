package io.relais.inbound;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.relais.web.NotFoundException;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Operators' view of inbound messages whose processing kept failing and was parked (they are
 * stored and in the transcript, just not handed to a journey): list them, and put them back once
 * the cause is fixed. The gauges {@code relais.inbound.parked} and {@code relais.inbound.queued}
 * are what an alert watches.
 */
@RestController
class ParkedMessagesController {

  private final InboundProcessor processor;
  private final InboundQueue queue;

  ParkedMessagesController(InboundProcessor processor, InboundQueue queue, MeterRegistry registry) {
    this.processor = processor;
    this.queue = queue;
    Gauge.builder("relais.inbound.parked", processor, InboundProcessor::parked)
        .description("Inbound messages parked after too many failed processing attempts").register(registry);
    Gauge.builder("relais.inbound.queued", queue, InboundQueue::size)
        .description("Inbound messages stored and not yet fully processed").register(registry);
  }

  @GetMapping("/api/inbound/parked")
  List<Map<String, Object>> parked(@RequestParam(defaultValue = "100") int limit) {
    return queue.parked(Math.max(1, Math.min(limit, 1000)));
  }

  @PostMapping("/api/inbound/parked/retry")
  Map<String, Integer> retry() {
    int n = processor.retryParked();
    processor.sweep();
    return Map.of("retried", n);
  }

  /** Puts one parked message back (its cause is fixed, the others' maybe not). */
  @PostMapping("/api/inbound/parked/{messageId}/retry")
  Map<String, Integer> retry(@PathVariable String messageId) {
    if (!processor.retryParked(messageId)) {
      throw new NotFoundException("messageId: no parked inbound message " + messageId);
    }
    return Map.of("retried", 1);
  }
}
