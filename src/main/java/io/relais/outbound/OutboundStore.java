package io.relais.outbound;

import io.relais.contact.Channel;
import io.relais.conversation.MessageRecord;
import io.relais.platform.Databases;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The outbound pipeline's own SQL beside {@link io.relais.conversation.MessageLog}: the locks that
 * make caps and throughput hold across nodes, deferral instants, short links, seen provider events
 * and monotonic status updates. Portable SQL (H2 and PostgreSQL).
 */
@Repository
public class OutboundStore {

  /** Statuses that mean "went to a provider": they count against frequency caps. */
  static final List<String> SENT_STATUSES = List.of(SendOutbox.QUEUED, "PENDING", "UNKNOWN", "SENT", "DELIVERED", "READ", "UNDELIVERED");
  private static final String SENT_IN = "(" + String.join(",", SENT_STATUSES.stream().map(s -> "'" + s + "'").toList()) + ")";

  private final JdbcTemplate jdbc;

  /** A savepoint inside the caller's transaction (its own transaction when there is none). */
  private final org.springframework.transaction.support.TransactionTemplate savepoint;

  /** Whether the database is PostgreSQL (its upsert), asked once. */
  private volatile Boolean postgres;

  private boolean postgres() {
    Boolean p = postgres;
    if (p == null) {
      p = Databases.isPostgres(jdbc);
      postgres = p;
    }
    return p;
  }

  public OutboundStore(JdbcTemplate jdbc, org.springframework.transaction.PlatformTransactionManager transactions) {
    this.savepoint = new org.springframework.transaction.support.TransactionTemplate(transactions);
    this.savepoint.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_NESTED);
    this.jdbc = jdbc;
  }

  /**
   * Locks the (contact, channel) guard row until the current transaction ends, so that two nodes
   * sending to the same contact count caps one after the other. An UPDATE takes the row lock on
   * both H2 and PostgreSQL (the portable select-for-update).
   */
  public void lockContactChannel(String contactId, Channel channel, Instant now) {
    if (postgres()) {
      // one statement: inserted or updated, the row is locked either way, and a concurrent insert
      // waits for this one instead of failing (a campaign's first send to each contact made four
      // round trips here: update, savepoint, insert, release)
      jdbc.update("insert into send_guard (contact_id, channel, locked_at) values (?, ?, ?) "
          + "on conflict (contact_id, channel) do update set locked_at = excluded.locked_at", contactId, channel.name(), ts(now));
      return;
    }
    String update = "update send_guard set locked_at = ? where contact_id = ? and channel = ?";
    if (jdbc.update(update, ts(now), contactId, channel.name()) == 1) {
      return;
    }
    try {
      // under a savepoint: on PostgreSQL a lost race must not abort the caller's transaction
      savepoint.executeWithoutResult(tx ->
          jdbc.update("insert into send_guard (contact_id, channel, locked_at) values (?, ?, ?)", contactId, channel.name(), ts(now)));
    } catch (DuplicateKeyException e) {
      jdbc.update(update, ts(now), contactId, channel.name());
    }
  }

  /**
   * For each instant of {@code sinces}, the marketing messages that went (or are going) to the
   * contact on this channel since then: every cap of a channel in one query.
   */
  public int[] countMarketingSince(String contactId, Channel channel, List<Instant> sinces) {
    StringBuilder sql = new StringBuilder("select ");
    Object[] args = new Object[sinces.size() + 3];
    Instant oldest = sinces.get(0);
    for (int i = 0; i < sinces.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("coalesce(sum(case when created_at > ? then 1 else 0 end), 0)");
      args[i] = ts(sinces.get(i));
      oldest = sinces.get(i).isBefore(oldest) ? sinces.get(i) : oldest;
    }
    sql.append(" from message where contact_id = ? and channel = ? and direction = 'OUT' and category = 'MARKETING' ")
        .append("and status in ").append(SENT_IN).append(" and created_at > ?");
    args[sinces.size()] = contactId;
    args[sinces.size() + 1] = channel.name();
    args[sinces.size() + 2] = ts(oldest);
    return jdbc.queryForObject(sql.toString(), (rs, row) -> {
      int[] counts = new int[sinces.size()];
      for (int i = 0; i < counts.length; i++) {
        counts[i] = rs.getInt(i + 1);
      }
      return counts;
    }, args);
  }

  /** The latest message the contact sent us on this channel (opens WhatsApp's 24 h window). */
  public Optional<Instant> lastInbound(String contactId, Channel channel) {
    Timestamp t = jdbc.queryForObject(
        "select max(created_at) from message where contact_id = ? and channel = ? and direction = 'IN'",
        Timestamp.class, contactId, channel.name());
    return Optional.ofNullable(t).map(Timestamp::toInstant);
  }

  /**
   * Reserves {@code segments} on the sender's rate (GCRA, burst of one second): returns
   * {@code now} when the message may go now, else the instant its turn comes (nothing reserved).
   */
  public Instant reserveThroughput(String sender, int segments, double perSecond, Instant now) {
    Duration cost = Duration.ofNanos((long) (segments * 1_000_000_000L / perSecond));
    Duration burst = Duration.ofSeconds(1).plus(cost);
    for (int attempt = 0; attempt < 3; attempt++) {
      List<Timestamp> rows = jdbc.queryForList("select next_free from sender_rate where sender = ? for update", Timestamp.class, sender);
      if (rows.isEmpty()) {
        // The sender's first row, under a savepoint: losing the race to a concurrent send rolls back
        // to the savepoint only (PostgreSQL aborts the whole transaction on an error otherwise), on
        // the same connection (a second transaction would need a second pooled connection per send).
        try {
          savepoint.executeWithoutResult(tx ->
              jdbc.update("insert into sender_rate (sender, next_free) values (?, ?)", sender, ts(now)));
        } catch (DuplicateKeyException e) {
          // another node or thread created it first: lock it like any existing row
        }
        continue;
      }
      Instant tat = rows.get(0).toInstant();
      Instant start = tat.isAfter(now) ? tat : now;
      Instant next = start.plus(cost);
      if (next.isAfter(now.plus(burst))) {
        return next.minus(burst);
      }
      jdbc.update("update sender_rate set next_free = ? where sender = ?", ts(next), sender);
      return now;
    }
    throw new IllegalStateException("Could not reserve throughput for sender " + sender);
  }

  /** A queued message about to leave: its time is now (the caps count it from then, the transcript shows it then). */
  public void redate(String messageId, Instant now) {
    jdbc.update("update message set created_at = ?, updated_at = ? where id = ?", ts(now), ts(now), messageId);
  }

  public void setNotBefore(String messageId, Instant notBefore) {
    jdbc.update("update message set not_before = ? where id = ?", ts(notBefore), messageId);
  }

  public Optional<Instant> notBefore(String messageId) {
    List<Timestamp> t = jdbc.queryForList("select not_before from message where id = ?", Timestamp.class, messageId);
    return t.isEmpty() || t.get(0) == null ? Optional.empty() : Optional.of(t.get(0).toInstant());
  }

  /**
   * Takes over a FAILED record of the same step for a new attempt (a retried job): rewrites it
   * as {@code m}; false when another worker took it first.
   */
  public boolean reclaimFailed(MessageRecord m) {
    return jdbc.update(
        "update message set status = ?, body = ?, from_address = ?, to_address = ?, provider = ?, provider_id = ?, "
            + "variant = ?, segments = ?, encoding = ?, cost = ?, reason = ?, error_code = null, updated_at = ? "
            + "where id = ? and status = 'FAILED'",
        m.status(), m.body(), m.fromAddress(), m.toAddress(), m.provider(), m.providerId(), m.variant(), m.segments(), m.encoding(),
        m.cost(), m.reason(), ts(m.updatedAt()), m.id()) == 1;
  }

  /** Outcome of the provider call: status, provider id, error code and reason in one update. */
  public void recordProviderResult(String messageId, String status, String provider, String providerId, String errorCode,
      String reason, Instant now) {
    jdbc.update("update message set status = ?, provider = ?, provider_id = ?, error_code = ?, reason = ?, updated_at = ? where id = ?",
        status, provider, providerId, errorCode, reason, ts(now), messageId);
  }

  /**
   * Moves a message forward to {@code status} only if that is progress (callbacks arrive out of
   * order: delivered never goes back to sent); returns whether it changed.
   */
  public boolean advanceStatus(String messageId, String status, String errorCode, Instant now) {
    List<String> lower = DeliveryStatus.lowerThan(status);
    if (lower.isEmpty()) {
      return false;
    }
    String in = String.join(",", lower.stream().map(s -> "'" + s + "'").toList());
    return jdbc.update("update message set status = ?, error_code = coalesce(?, error_code), updated_at = ? where id = ? and status in (" + in + ")",
        status, errorCode, ts(now), messageId) == 1;
  }

  /** Outbound messages still PENDING since before {@code cutoff} (oldest first, at most {@code limit}). */
  public List<String> stalePending(Instant cutoff, int limit) {
    return jdbc.queryForList("select id from message where status = 'PENDING' and updated_at < ? and direction = 'OUT' "
        + "order by updated_at fetch first " + limit + " rows only", String.class, ts(cutoff));
  }

  /**
   * PENDING → UNKNOWN if the message is still PENDING since before {@code cutoff}; true for the one
   * caller (of all nodes) whose update changed the row.
   */
  public boolean markUnknown(String messageId, Instant cutoff, String reason, Instant now) {
    return jdbc.update("update message set status = 'UNKNOWN', reason = ?, updated_at = ? where id = ? and status = 'PENDING' and updated_at < ?",
        reason, ts(now), messageId, ts(cutoff)) == 1;
  }

  public int countUnknown() {
    Integer n = jdbc.queryForObject("select count(*) from message where status = 'UNKNOWN'", Integer.class);
    return n == null ? 0 : n;
  }

  /** Gives a message whose provider answer was lost the provider's id from a later callback. */
  /** Settles a message in doubt (PENDING or UNKNOWN) as the provider says; false if another attempt settled it first. */
  public boolean settleInDoubt(String messageId, String status, String providerId, Instant now) {
    return jdbc.update("update message set status = ?, provider_id = coalesce(?, provider_id), "
            + "reason = case when ? = 'FAILED' then 'IN_DOUBT_NOT_AT_PROVIDER' else reason end, updated_at = ? "
            + "where id = ? and status in ('PENDING', '" + DeliveryStatus.UNKNOWN + "')",
        status, providerId, status, ts(now), messageId) == 1;
  }

  public boolean settleProviderId(String messageId, String provider, String providerId, Instant now) {
    return jdbc.update("update message set provider_id = ?, updated_at = ? where id = ? and provider = ? and provider_id is null",
        providerId, ts(now), messageId, provider) == 1;
  }

  /** True the first time this provider event is seen. */
  public boolean firstTimeSeen(String provider, String eventId, Instant now) {
    try {
      jdbc.update("insert into provider_event (provider, event_id, received_at) values (?, ?, ?)", provider, eventId, ts(now));
      return true;
    } catch (DuplicateKeyException e) {
      return false;
    }
  }

  public void insertLink(ShortLinks.Link link, Instant now) {
    jdbc.update("insert into short_link (code, message_id, contact_id, channel, url, journey_key, process_instance_id, click_count, created_at) "
            + "values (?, ?, ?, ?, ?, ?, ?, 0, ?)",
        link.code(), link.messageId(), link.contactId(), link.channel().name(), link.url(), link.journeyKey(),
        link.processInstanceId(), ts(now));
  }

  public Optional<ShortLinks.Link> findLink(String code) {
    return jdbc.query("select code, message_id, contact_id, channel, url, journey_key, process_instance_id, click_count, first_clicked_at "
                + "from short_link where code = ?",
            (rs, i) -> new ShortLinks.Link(rs.getString("code"), rs.getString("message_id"), rs.getString("contact_id"),
                Channel.valueOf(rs.getString("channel")), rs.getString("url"), rs.getString("journey_key"),
                rs.getString("process_instance_id"), rs.getInt("click_count"), rs.getTimestamp("first_clicked_at") != null),
            code)
        .stream().findFirst();
  }

  /** Counts a click; returns true for the recipient's first click on this link (a unique click). */
  public boolean recordClick(String code, Instant now) {
    boolean first = jdbc.update("update short_link set first_clicked_at = ? where code = ? and first_clicked_at is null", ts(now), code) == 1;
    jdbc.update("update short_link set click_count = click_count + 1, last_clicked_at = ? where code = ?", ts(now), code);
    return first;
  }

  static Timestamp ts(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }
}
