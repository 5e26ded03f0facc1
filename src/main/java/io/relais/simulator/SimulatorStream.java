package io.relais.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.outbound.MessageSentEvent;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Live view of a contact for the simulator page, as server-sent events. The message table and the
 * engine are the source of truth: every subscriber's view is re-read on a short poll, so messages
 * written by any node of a cluster show up; an in-process "message sent" event only wakes the
 * stream up sooner. A {@code snapshot} event (messages and journeys) is sent whenever the view
 * changes, and a comment line keeps idle connections open.
 */
@Component
public class SimulatorStream {

  private static final Logger log = LoggerFactory.getLogger(SimulatorStream.class);
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final long EMITTER_TIMEOUT_MS = Duration.ofMinutes(30).toMillis();

  /** What the page shows of a message. */
  public record MessageView(
      String id, String direction, String channel, String category, String status, String body,
      String from, String to, String reason, String journeyKey, String stepId, Instant createdAt) {

    static MessageView of(MessageRecord m) {
      return new MessageView(
          m.id(), m.direction().name(), m.channel().name(), m.category(), m.status(), m.body(), m.fromAddress(),
          m.toAddress(), m.reason(), m.journeyKey(), m.stepId(), m.createdAt());
    }
  }

  /** Everything the page shows of a contact. */
  public record Snapshot(String contactId, List<MessageView> messages, List<JourneyStates.JourneyState> journeys) {}

  private static final class Subscriber {
    final SseEmitter emitter;
    String lastSent;
    long lastWriteMillis;

    Subscriber(SseEmitter emitter) {
      this.emitter = emitter;
    }
  }

  private final MessageLog messages;
  private final JourneyStates journeys;
  private final ObjectMapper json;
  private final Map<String, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();
  private final ScheduledExecutorService poller;

  public SimulatorStream(MessageLog messages, JourneyStates journeys, ObjectMapper json, SimulatorProperties properties) {
    this.messages = messages;
    this.journeys = journeys;
    this.json = json;
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "relais-simulator-stream");
              t.setDaemon(true);
              return t;
            });
    long every = properties.pollInterval().toMillis();
    poller.scheduleWithFixedDelay(this::refreshAll, every, every, TimeUnit.MILLISECONDS);
  }

  /** The contact's messages, oldest first, and journeys. */
  public Snapshot snapshot(String contactId) {
    return new Snapshot(
        contactId, messages.transcript(contactId).stream().map(MessageView::of).toList(), journeys.of(contactId));
  }

  /** Opens a stream for the contact; the current snapshot is sent at once. */
  public SseEmitter subscribe(String contactId) {
    SseEmitter emitter = new SseEmitter(EMITTER_TIMEOUT_MS);
    Subscriber s = new Subscriber(emitter);
    subscribers.computeIfAbsent(contactId, k -> ConcurrentHashMap.newKeySet()).add(s);
    Runnable remove = () -> unsubscribe(contactId, s);
    emitter.onCompletion(remove);
    emitter.onTimeout(remove);
    emitter.onError(e -> remove.run());
    poller.execute(() -> refresh(contactId));
    return emitter;
  }

  /** Wakes the stream of the contact the outbound pipeline just delivered a message to. */
  @EventListener
  public void wakeOnMessageSent(MessageSentEvent event) {
    String contactId = event.contactId();
    if (contactId != null && subscribers.containsKey(contactId)) {
      poller.execute(() -> refresh(contactId));
    }
  }

  int subscriberCount(String contactId) {
    Set<Subscriber> set = subscribers.get(contactId);
    return set == null ? 0 : set.size();
  }

  private void refreshAll() {
    for (String contactId : subscribers.keySet()) {
      refresh(contactId);
    }
  }

  private void refresh(String contactId) {
    Set<Subscriber> set = subscribers.get(contactId);
    if (set == null || set.isEmpty()) {
      return;
    }
    String view;
    try {
      view = json.writeValueAsString(snapshot(contactId));
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn("Simulator stream for {}: cannot read the contact's view: {}", contactId, e.toString());
      return;
    }
    long now = System.currentTimeMillis();
    for (Subscriber s : set) {
      synchronized (s) {
        try {
          if (!view.equals(s.lastSent)) {
            s.emitter.send(SseEmitter.event().name("snapshot").data(view, MediaType.APPLICATION_JSON));
            s.lastSent = view;
            s.lastWriteMillis = now;
          } else if (now - s.lastWriteMillis >= HEARTBEAT.toMillis()) {
            s.emitter.send(SseEmitter.event().comment("ping"));
            s.lastWriteMillis = now;
          }
        } catch (IOException | IllegalStateException gone) {
          unsubscribe(contactId, s);
        }
      }
    }
  }

  private void unsubscribe(String contactId, Subscriber s) {
    subscribers.computeIfPresent(contactId, (k, set) -> {
      set.remove(s);
      return set.isEmpty() ? null : set;
    });
  }

  @PreDestroy
  void stop() {
    poller.shutdownNow();
    subscribers.values().forEach(set -> set.forEach(s -> s.emitter.complete()));
    subscribers.clear();
  }
}
