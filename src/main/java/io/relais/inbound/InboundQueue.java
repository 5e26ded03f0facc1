package io.relais.inbound;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code inbound_queue} table: stored inbound messages whose processing is not finished.
 * Claims are conditional updates, so that two workers or two nodes never process a message at
 * the same time; a contact's messages are claimed in arrival order, compliance keywords excepted.
 */
@Repository
class InboundQueue {

  /** Where the processing of a message stands. */
  enum Stage {
    /** Nothing done yet. */
    NEW,
    /** Consent changed: send the confirmation, tell journeys, then finish. */
    CONFIRM,
    /** Consent changed: send the confirmation, then route the message as a reply too. */
    CONFIRM_ROUTE,
    /** Route the message to a journey. */
    ROUTE
  }

  record Row(String messageId, String contactId, boolean compliance, Stage stage, int attempts, Instant receivedAt) {}

  private static final String SELECT =
      "select q.message_id, q.contact_id, q.compliance, q.stage, q.attempts, q.received_at from inbound_queue q ";
  /** No older non-compliance message of the same contact is still waiting (order per contact). */
  private static final String IN_ORDER =
      " and (q.compliance = true or not exists (select 1 from inbound_queue o where o.contact_id = q.contact_id "
          + "and o.seq < q.seq and o.compliance = false and o.parked_at is null))";

  /** Parked messages back in the queue, due now, their attempts counted from zero again. */
  private static final String UNPARK =
      "update inbound_queue set parked_at = null, attempts = 1, next_attempt_at = ? where parked_at is not null";

  private final JdbcTemplate jdbc;
  private final Clock clock;

  InboundQueue(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  void add(String messageId, String contactId, boolean compliance, Instant receivedAt, Instant firstSweep) {
    add(messageId, contactId, compliance, Stage.NEW, receivedAt, firstSweep);
  }

  void add(String messageId, String contactId, boolean compliance, Stage stage, Instant receivedAt, Instant firstSweep) {
    jdbc.update(
        "insert into inbound_queue (message_id, contact_id, compliance, stage, attempts, received_at, next_attempt_at) "
            + "values (?, ?, ?, ?, 0, ?, ?)",
        messageId, contactId, compliance, stage.name(), ts(receivedAt), ts(firstSweep));
  }

  /** Fresh (never tried) or due messages of one contact that may be processed now, oldest first. */
  List<Row> claimable(String contactId) {
    Timestamp now = ts(clock.instant());
    return jdbc.query(
        SELECT + "where q.contact_id = ? and q.parked_at is null and (q.attempts = 0 or q.next_attempt_at <= ?) "
            + "and (q.claimed_until is null or q.claimed_until < ?)" + IN_ORDER + " order by q.seq",
        InboundQueue::map, contactId, now, now);
  }

  /** Due messages of all contacts (the sweeper), oldest first. */
  List<Row> due(int limit) {
    Timestamp now = ts(clock.instant());
    return jdbc.query(
        SELECT + "where q.next_attempt_at <= ? and q.parked_at is null and (q.claimed_until is null or q.claimed_until < ?)" + IN_ORDER
            + " order by q.seq limit " + limit,
        InboundQueue::map, now, now);
  }

  /** Takes a message for {@code owner} until the lease ends; false if another worker has it. */
  boolean claim(String messageId, String owner, Instant until) {
    Timestamp now = ts(clock.instant());
    return jdbc.update(
            "update inbound_queue set claimed_by = ?, claimed_until = ? where message_id = ? "
                + "and (claimed_until is null or claimed_until < ?)",
            owner, ts(until), messageId, now) == 1;
  }

  /**
   * Locks the message for the caller's transaction, unless another worker holds it (its claim
   * lease or a row lock of its own transaction): the cheap claim of the common path, released by
   * the commit or the rollback, and by a dead connection.
   */
  Optional<Stage> lockInTransaction(String messageId) {
    Timestamp now = ts(clock.instant());
    return jdbc.queryForList(
        "select stage from inbound_queue where message_id = ? and (claimed_until is null or claimed_until < ?) "
            + "and parked_at is null for update skip locked", String.class, messageId, now).stream().findFirst().map(Stage::valueOf);
  }

  /** The message's stage, if it is still queued. */
  Optional<Stage> stage(String messageId) {
    return jdbc.queryForList("select stage from inbound_queue where message_id = ?", String.class, messageId).stream()
        .findFirst().map(Stage::valueOf);
  }

  /** Ends a claim without finishing the message (the next step takes it again). */
  void release(String messageId) {
    jdbc.update("update inbound_queue set claimed_by = null, claimed_until = null where message_id = ?", messageId);
  }

  /**
   * Gives a failed message back to be tried at {@code next}, or parks it when this was its
   * {@code maxAttempts}-th failure (counted in the database, whoever failed before); true if this
   * call parked it. A parked message stays queued and visible, is no longer retried and no longer
   * holds back its contact. {@code attemptsBefore} is the count the failed attempt started from:
   * two workers that took the message one after the other between a failure and its recording (a
   * failure is recorded after its transaction rolled back, without the row's lock) count once, so
   * a message is never counted past its last attempt.
   */
  boolean failed(String messageId, int attemptsBefore, Instant next, String error, int maxAttempts) {
    Timestamp now = ts(clock.instant());
    String reason = error == null ? null : error.substring(0, Math.min(error.length(), 1000));
    int counted = jdbc.update(
        "update inbound_queue set attempts = attempts + 1, next_attempt_at = ?, "
            + "parked_at = case when attempts + 1 >= ? then ? else null end, claimed_by = null, claimed_until = null, last_error = ? "
            + "where message_id = ? and attempts = ? and parked_at is null",
        ts(next), maxAttempts, now, reason, messageId, attemptsBefore);
    return counted > 0 && attemptsBefore + 1 >= maxAttempts;
  }

  /** Puts every parked message back to be tried now, with its attempts counted from zero again. */
  int unpark(Instant now) {
    return jdbc.update(UNPARK, ts(now));
  }

  /** Puts one parked message back to be tried now, attempts counted from zero again; false if it is not parked. */
  boolean unpark(String messageId, Instant now) {
    return jdbc.update(UNPARK + " and message_id = ?", ts(now), messageId) == 1;
  }

  /** Parked messages, oldest first: id, contact, attempts, when parked, last error. */
  List<java.util.Map<String, Object>> parked(int limit) {
    return jdbc.queryForList("select message_id, contact_id, attempts, parked_at, last_error from inbound_queue "
        + "where parked_at is not null order by seq limit " + limit);
  }

  int parkedCount() {
    Integer n = jdbc.queryForObject("select count(*) from inbound_queue where parked_at is not null", Integer.class);
    return n == null ? 0 : n;
  }

  void setStage(String messageId, Stage stage) {
    jdbc.update("update inbound_queue set stage = ? where message_id = ?", stage.name(), messageId);
  }

  /** Gives the message back to be tried again at {@code next} (a reply kept for a journey not waiting yet). */
  void postpone(String messageId, Instant next, String error) {
    jdbc.update(
        // a wait is not a failure: attempts only leaves 0 (fresh) so that the message waits its turn
        "update inbound_queue set attempts = case when attempts = 0 then 1 else attempts end, next_attempt_at = ?, "
            + "claimed_by = null, claimed_until = null, last_error = ? where message_id = ?",
        ts(next), error == null ? null : error.substring(0, Math.min(error.length(), 1000)), messageId);
  }

  void remove(String messageId) {
    jdbc.update("delete from inbound_queue where message_id = ?", messageId);
  }

  /** Unfinished messages of a contact (tests, monitoring). */
  int pending(String contactId) {
    Integer n = jdbc.queryForObject("select count(*) from inbound_queue where contact_id = ?", Integer.class, contactId);
    return n == null ? 0 : n;
  }

  /** Unfinished messages in total (monitoring). */
  int size() {
    Integer n = jdbc.queryForObject("select count(*) from inbound_queue", Integer.class);
    return n == null ? 0 : n;
  }

  private static Row map(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
    return new Row(rs.getString(1), rs.getString(2), rs.getBoolean(3), Stage.valueOf(rs.getString(4)), rs.getInt(5),
        rs.getTimestamp(6).toInstant());
  }

  private static Timestamp ts(Instant i) {
    return Timestamp.from(i);
  }
}
