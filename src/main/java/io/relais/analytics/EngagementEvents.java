package io.relais.analytics;

import io.micrometer.core.instrument.MeterRegistry;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Set;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way to record an engagement (bean {@code engagementEvents}): appends to the
 * {@code engagement_event} table that the KPIs, attribution, A/B tests and channel affinity read,
 * and counts it for Prometheus.
 */
@Component("engagementEvents")
public class EngagementEvents {

  /** Types counted once per message ("unique clickers"): the first one carries a first_key. */
  static final Set<EngagementType> UNIQUE_PER_MESSAGE = EnumSet.of(
      EngagementType.OPENED, EngagementType.CLICKED, EngagementType.REPLIED, EngagementType.OPTED_OUT, EngagementType.ORDERED);

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final MessageLog messages;
  private final ObjectProvider<ContactDirectory> contacts;
  private final EngagementMetrics metrics;
  private final KpiDailySummary summary;

  public EngagementEvents(JdbcTemplate jdbc, PlatformTransactionManager transactions, Clock clock, MessageLog messages,
      ObjectProvider<ContactDirectory> contacts, MeterRegistry registry, KpiDailySummary summary) {
    this.jdbc = jdbc;
    this.summary = summary;
    // The caller's transaction, or a new one: a taken unique key does not abort it (see insert).
    this.tx = new TransactionTemplate(transactions);
    this.clock = clock;
    this.messages = messages;
    this.contacts = contacts;
    this.metrics = new EngagementMetrics(registry);
  }

  /** Records the event; false when its dedup key was already recorded (nothing changes then). */
  public boolean record(EngagementEvent event) {
    return recordAll(List.of(event)) == 1;
  }

  /**
   * Records the events in one transaction (the caller's, or a new one), each as {@link #record}
   * would, and adds them to the KPI summary together: one upsert per summary table for all of them
   * instead of one per event and table (the projector records a page of messages at once). Returns
   * how many were recorded; the others' dedup keys were recorded already.
   */
  public int recordAll(List<EngagementEvent> events) {
    if (events.isEmpty()) {
      return 0;
    }
    List<EngagementEvent> recorded = tx.execute(status -> {
      KpiDailySummary.Batch batch = summary.batch();
      List<EngagementEvent> inserted = new ArrayList<>();
      for (EngagementEvent event : events) {
        if (recordInto(event, batch)) {
          inserted.add(event);
        }
      }
      // The summary the KPIs read, in the same transaction: counted exactly once, with the events.
      batch.flush();
      return inserted;
    });
    recorded.forEach(metrics::count);
    return recorded.size();
  }

  private boolean recordInto(EngagementEvent event, KpiDailySummary.Batch batch) {
    if (event.type() == null || event.contactId() == null || event.contactId().isBlank()) {
      throw new IllegalArgumentException("An engagement event needs a type and a contact id");
    }
    Instant at = event.occurredAt() != null ? event.occurredAt() : clock.instant();
    List<String> segments = (event.segments() != null ? asSegments(event.segments()) : segmentsOf(event.contactId())).stream()
        .map(s -> truncate(s, 100)).distinct().toList();
    String firstKey = UNIQUE_PER_MESSAGE.contains(event.type())
        ? event.type() + ":" + (event.messageId() != null ? "m:" + event.messageId() : "c:" + event.contactId() + ":" + event.journeyKey() + ":" + event.stepId())
        : null;
    if (!insert(event, at, segments, firstKey)) {
      if (firstKey == null || isRecorded(event.dedupKey())) {
        return false;
      }
      // Not the first of its kind for this message: recorded, but not counted as a unique one.
      firstKey = null;
      if (!insert(event, at, segments, null)) {
        return false; // its dedup key was recorded meanwhile
      }
    }
    batch.add(event, at, segments, firstKey);
    return true;
  }

  private boolean isRecorded(String dedupKey) {
    return dedupKey != null
        && jdbc.queryForObject("select count(*) from engagement_event where dedup_key = ?", Integer.class, dedupKey) > 0;
  }

  /**
   * Inserts the event and its segments; false when a unique key (dedup key, first key) is taken.
   * Such a conflict must not abort the surrounding transaction: PostgreSQL skips the row ({@code on
   * conflict do nothing}), H2 fails only the statement.
   */
  private boolean insert(EngagementEvent event, Instant at, List<String> segments, String firstKey) {
    GeneratedKeyHolder keys = new GeneratedKeyHolder();
    int rows;
    try {
      rows = jdbc.update(con -> {
        PreparedStatement ps = con.prepareStatement(
            "insert into engagement_event (event_type, contact_id, journey_key, journey_version, step_id, channel, variant, "
                + "segments, message_id, order_id, revenue, cost, score, delay_ms, after_reply, occurred_at, dedup_key, first_key) "
                + "values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)" + (summary.postgres() ? " on conflict do nothing" : ""),
            new String[] {"id"});
        ps.setString(1, event.type().name());
        ps.setString(2, event.contactId());
        ps.setString(3, event.journeyKey());
        ps.setObject(4, event.journeyVersion(), Types.INTEGER);
        ps.setString(5, event.stepId());
        ps.setString(6, event.channel() == null ? null : event.channel().name());
        ps.setString(7, event.variant());
        ps.setString(8, segments.isEmpty() ? null : truncate(String.join(",", segments), 1000));
        ps.setString(9, event.messageId());
        ps.setString(10, event.orderId());
        ps.setBigDecimal(11, event.revenue());
        ps.setBigDecimal(12, event.cost());
        ps.setObject(13, event.score(), Types.INTEGER);
        ps.setObject(14, event.delayMs(), Types.BIGINT);
        ps.setObject(15, event.afterReply(), Types.BOOLEAN);
        ps.setTimestamp(16, Timestamp.from(at));
        ps.setString(17, event.dedupKey());
        ps.setString(18, firstKey);
        return ps;
      }, keys);
    } catch (DuplicateKeyException e) {
      return false;
    }
    if (rows == 0) {
      return false;
    }
    long id = keys.getKey().longValue();
    for (String segment : segments) {
      jdbc.update("insert into engagement_segment (event_id, segment) values (?, ?)", id, segment);
    }
    return true;
  }

  public boolean record(EngagementEvent.Builder event) {
    return record(event.build());
  }

  /**
   * Records an event about a message of the {@code message} table (CLICKED for a tracked link,
   * OPENED for an email open or a read receipt), copying its contact, journey, step, channel and
   * variant. False if the message is unknown.
   */
  public boolean recordForMessage(EngagementType type, String messageId) {
    Optional<MessageRecord> message = messages.find(messageId);
    if (message.isEmpty()) {
      return false;
    }
    return record(forMessage(type, message.get()).at(clock.instant()));
  }

  /** A builder pre-filled from a message: contact, journey, version, step, channel, variant, message id. */
  static EngagementEvent.Builder forMessage(EngagementType type, MessageRecord m) {
    return EngagementEvent.of(type, m.contactId())
        .journey(m.journeyKey(), m.journeyVersion(), m.stepId())
        .channel(m.channel())
        .variant(m.variant())
        .message(m.id());
  }

  /** The contact's segments now, from its {@code segments} attribute (a list or a comma-separated string). */
  List<String> segmentsOf(String contactId) {
    ContactDirectory directory = contacts.getIfAvailable();
    if (directory == null) {
      return List.of();
    }
    return segmentsOf(directory.find(contactId).orElse(null));
  }

  /** The segments of each of these contacts, read together (a contact that does not exist has none). */
  Map<String, List<String>> segmentsOf(Collection<String> contactIds) {
    ContactDirectory directory = contacts.getIfAvailable();
    Map<String, Contact> found = directory == null ? Map.of() : directory.findAll(contactIds);
    Map<String, List<String>> segments = new HashMap<>();
    contactIds.forEach(id -> segments.put(id, segmentsOf(found.get(id))));
    return segments;
  }

  private static List<String> segmentsOf(Contact contact) {
    Object value = contact == null || contact.attributes() == null ? null : contact.attributes().get("segments");
    return value == null ? List.of() : asSegments(value);
  }

  static List<String> asSegments(Object value) {
    Collection<?> raw = value instanceof Collection<?> c ? c
        : value instanceof String s ? Arrays.asList(s.split(",")) : List.of();
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (Object o : raw) {
      if (o != null && !o.toString().isBlank()) {
        out.add(o.toString().trim());
      }
    }
    return new ArrayList<>(out);
  }

  private static String truncate(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  static BigDecimal orZero(BigDecimal b) {
    return b == null ? BigDecimal.ZERO : b;
  }
}
