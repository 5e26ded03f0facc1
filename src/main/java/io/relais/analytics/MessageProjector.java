package io.relais.analytics;

import io.relais.contact.Channel;
import io.relais.conversation.Direction;
import io.relais.platform.ClusterLock;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Derives SENT, DELIVERED, OPENED (read receipts), FAILED and REPLIED engagement events from the
 * {@code message} table, whatever the send and inbound pipelines record themselves: one node at a
 * time (cluster lock), from a high-water mark on {@code updated_at} (the clock in quiet periods), re-reading a short overlap so
 * that late commits are not missed; dedup keys make the re-reading harmless, and one look-up per
 * page of the keys already recorded makes it cheap (a message is re-read every pass during the
 * overlap: without that look-up each re-read cost a failed insert and a contact read per event).
 * The versions of the rows this node projected during the overlap are remembered ({@code
 * projected}), so that a row re-read unchanged costs neither a look-up nor a check; pages are read
 * by keyset ({@code (updated_at, id) > cursor}) on the index of both columns, one range scan each.
 */
@Component
public class MessageProjector {

  static final String NAME = "message-projector";
  private static final Set<String> SENT_STATUSES = Set.of("SENT", "DELIVERED", "READ", "UNDELIVERED");
  private static final Set<String> DELIVERED_STATUSES = Set.of("DELIVERED", "READ");
  private static final Set<String> FAILED_STATUSES = Set.of("FAILED", "UNDELIVERED");
  private static final int PAGE = 500;
  /** At most this many row versions remembered (a burst beyond it falls back to the look-up). */
  private static final int MAX_REMEMBERED = 200_000;
  private static final String COLUMNS =
      "select id, contact_id, direction, channel, status, journey_key, journey_version, step_id, variant, cost, created_at, updated_at ";

  private final JdbcTemplate jdbc;
  private final NamedParameterJdbcTemplate named;
  private final EngagementEvents events;
  private final ClusterLock lock;
  private final AnalyticsProperties properties;

  /** A message row as projected: its status at that {@code updated_at}. */
  private record Version(Instant updatedAt, String status) {}

  /**
   * Row versions whose events this node recorded (committed), newer than the last pass's start:
   * the overlap re-reads them every pass. Only ever skips work whose result is durable already; a
   * node that just took the lease over starts empty and uses the look-up.
   */
  private final Map<String, Version> projected = new HashMap<>();

  public MessageProjector(JdbcTemplate jdbc, EngagementEvents events, ClusterLock lock, AnalyticsProperties properties) {
    this.jdbc = jdbc;
    this.named = new NamedParameterJdbcTemplate(jdbc);
    this.events = events;
    this.lock = lock;
    this.properties = properties;
  }

  @Scheduled(fixedDelayString = "${relais.analytics.projector-interval:PT10S}", initialDelayString = "PT15S")
  public void scheduled() {
    catchUp();
  }

  /** Projects what changed since the watermark; false if another node holds the lease right now. */
  public boolean catchUp() {
    return lock.runExclusively("analytics-" + NAME, Duration.ofMinutes(5), this::project);
  }

  /** Forgets the watermark so the next run re-reads every message (idempotent; tests and repairs). */
  synchronized void rewind() {
    jdbc.update("delete from analytics_watermark where name = ?", NAME);
    projected.clear();
  }

  private record Row(String id, String contactId, Direction direction, Channel channel, String status,
      String journeyKey, Integer journeyVersion, String stepId, String variant, BigDecimal cost,
      Instant createdAt, Instant updatedAt) {}

  private static Row row(ResultSet rs, int n) throws SQLException {
    return new Row(rs.getString(1), rs.getString(2), Direction.valueOf(rs.getString(3)), Channel.valueOf(rs.getString(4)),
        rs.getString(5), rs.getString(6), (Integer) rs.getObject(7, Integer.class), rs.getString(8), rs.getString(9),
        rs.getBigDecimal(10), rs.getTimestamp(11).toInstant(), rs.getTimestamp(12).toInstant());
  }

  private synchronized void project() {
    List<Timestamp> stored = jdbc.queryForList("select position from analytics_watermark where name = ?", Timestamp.class, NAME);
    // Taken before the first page: a row this pass cannot see yet commits after it, so its
    // updated_at is at least this minus its transaction's duration, which the overlap covers.
    Instant passStart = jdbc.queryForObject("select current_timestamp", Timestamp.class).toInstant();
    Instant from = stored.isEmpty() ? Instant.EPOCH : stored.get(0).toInstant().minus(properties.projectorOverlap());
    projected.values().removeIf(v -> v.updatedAt().isBefore(from));
    Instant cursorTime = from;
    String cursorId = "";
    Instant highest = stored.isEmpty() ? null : stored.get(0).toInstant();
    while (true) {
      List<Row> rows = jdbc.query(
          COLUMNS + "from message where (updated_at, id) > (?, ?) order by updated_at, id fetch first " + PAGE + " rows only",
          MessageProjector::row,
          Timestamp.from(cursorTime), cursorId);
      List<Row> fresh = rows.stream().filter(r -> !new Version(r.updatedAt(), r.status()).equals(projected.get(r.id()))).toList();
      Set<String> recorded = recorded(fresh);
      List<Row> toProject = fresh.stream().filter(row -> !recorded.containsAll(dedupKeys(row))).toList();
      Page page = new Page();
      // the segments of the page's contacts in one statement, not one per contact
      page.segments.putAll(events.segmentsOf(toProject.stream().map(Row::contactId).filter(Objects::nonNull).collect(Collectors.toSet())));
      for (Row row : toProject) {
        if (row.direction() == Direction.OUT) {
          projectOutbound(row, recorded, page);
        } else {
          projectInbound(row, page);
        }
      }
      // the page's events in one transaction, the KPI summary written once for all of them
      events.recordAll(page.events);
      for (Row row : fresh) {
        if (projected.size() < MAX_REMEMBERED || projected.containsKey(row.id())) {
          projected.put(row.id(), new Version(row.updatedAt(), row.status()));
        }
      }
      if (!rows.isEmpty()) { // the page's last row is its highest (updated_at, id)
        Row last = rows.get(rows.size() - 1);
        cursorTime = last.updatedAt();
        cursorId = last.id();
        highest = highest == null || cursorTime.isAfter(highest) ? cursorTime : highest;
      }
      if (rows.size() < PAGE) {
        break;
      }
    }
    // The watermark follows the clock through quiet periods too: otherwise the rows of the last
    // overlap before a pause would be re-read, and their versions kept in memory, until traffic
    // resumed (after a campaign's burst, tens of thousands of them).
    Instant position = highest == null || passStart.isAfter(highest) ? passStart : highest;
    if (stored.isEmpty() || !position.equals(stored.get(0).toInstant())) {
      if (jdbc.update("update analytics_watermark set position = ? where name = ?", Timestamp.from(position), NAME) == 0) {
        jdbc.update("insert into analytics_watermark (name, position) values (?, ?)", NAME, Timestamp.from(position));
      }
    }
  }

  /** Whether this node remembers a version of the message's row (tests). */
  synchronized boolean remembers(String messageId) {
    return projected.containsKey(messageId);
  }

  /** The events a message row stands for now, by its direction and status: what the projector records. */
  private static List<EngagementType> types(Row m) {
    List<EngagementType> types = new ArrayList<>(2);
    if (m.direction() != Direction.OUT) {
      types.add(EngagementType.REPLIED);
      return types;
    }
    if (SENT_STATUSES.contains(m.status())) {
      types.add(EngagementType.SENT);
    }
    if (DELIVERED_STATUSES.contains(m.status())) {
      types.add(EngagementType.DELIVERED);
    }
    if ("READ".equals(m.status())) {
      types.add(EngagementType.OPENED);
    }
    if (FAILED_STATUSES.contains(m.status())) {
      types.add(EngagementType.FAILED);
    }
    return types;
  }

  private static List<String> dedupKeys(Row m) {
    return types(m).stream().map(type -> dedupKey(m, type)).toList();
  }

  private static String dedupKey(Row m, EngagementType type) {
    return "m:" + m.id() + ":" + type;
  }

  /** Which of the page's events are recorded already: one query (the dedup key is unique-indexed). */
  private Set<String> recorded(List<Row> rows) {
    List<String> keys = rows.stream().flatMap(r -> dedupKeys(r).stream()).toList();
    Set<String> found = new HashSet<>();
    for (int i = 0; i < keys.size(); i += PAGE) {
      found.addAll(named.queryForList("select dedup_key from engagement_event where dedup_key in (:keys)",
          Map.of("keys", keys.subList(i, Math.min(keys.size(), i + PAGE))), String.class));
    }
    return found;
  }

  /** The events of a page, recorded together, and what was read once for the page. */
  private static final class Page {
    final List<EngagementEvent> events = new ArrayList<>();
    /** Contacts' segments, read once per page. */
    final Map<String, List<String>> segments = new HashMap<>();
    /** Outbound messages that got a reply earlier in this page (not recorded yet when the next one is read). */
    final Set<String> replied = new HashSet<>();
  }

  /** The contact's segments, read once per page. */
  private List<String> segmentsOf(String contactId, Page page) {
    return page.segments.computeIfAbsent(contactId, events::segmentsOf);
  }

  private EngagementEvent.Builder event(EngagementType type, Row m) {
    return EngagementEvent.of(type, m.contactId())
        .journey(m.journeyKey(), m.journeyVersion(), m.stepId())
        .channel(m.channel())
        .variant(m.variant())
        .message(m.id())
        .dedupKey(dedupKey(m, type));
  }

  private void projectOutbound(Row m, Set<String> recorded, Page page) {
    for (EngagementType type : types(m)) {
      if (!recorded.contains(dedupKey(m, type))) {
        EngagementEvent.Builder event = event(type, m).segments(segmentsOf(m.contactId(), page));
        page.events.add((type == EngagementType.SENT ? event.cost(m.cost()).at(m.createdAt()) : event.at(m.updatedAt())).build());
      }
    }
  }

  /** A reply is credited to the last message sent to the contact before it, within the reply window. */
  private void projectInbound(Row in, Page page) {
    List<Row> previous = jdbc.query(
        COLUMNS + "from message where contact_id = ? and direction = 'OUT' and status in ('SENT','DELIVERED','READ') "
            + "and created_at <= ? and created_at >= ? order by created_at desc, id desc fetch first 1 rows only",
        MessageProjector::row,
        in.contactId(), Timestamp.from(in.createdAt()), Timestamp.from(in.createdAt().minus(properties.replyWindow())));
    EngagementEvent.Builder reply;
    if (previous.isEmpty()) {
      reply = EngagementEvent.of(EngagementType.REPLIED, in.contactId()).channel(in.channel());
    } else {
      Row out = previous.get(0);
      Integer earlier = jdbc.queryForObject(
          "select count(*) from engagement_event where message_id = ? and event_type = 'REPLIED'", Integer.class, out.id());
      reply = event(EngagementType.REPLIED, out);
      if (earlier == 0 && page.replied.add(out.id())) {
        // Only the first reply to a message measures how fast customers answer.
        reply.delayMs(Duration.between(out.createdAt(), in.createdAt()).toMillis());
      }
    }
    page.events.add(reply.dedupKey(dedupKey(in, EngagementType.REPLIED)).segments(segmentsOf(in.contactId(), page)).at(in.createdAt()).build());
  }
}
