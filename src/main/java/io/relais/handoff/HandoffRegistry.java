package io.relais.handoff;

import io.relais.outbound.JourneyStep;
import io.relais.outbound.MessageCategory;
import io.relais.platform.TimeOrderedIds;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The {@code handoff} table: one row per conversation handed to a human, open while a human owns
 * it. The outbound and inbound pipelines ask {@link #isHumanOwned(String)} before the bot speaks;
 * the KPIs read the times recorded here.
 */
@Repository
public class HandoffRegistry implements io.relais.outbound.ConversationOwnership {

  private static final String COLUMNS =
      "id, contact_id, process_instance_id, reason, queue, channel, agent, out_of_hours, created_at, claimed_at, "
          + "holding_sent_at, escalated_at, first_response_at, resolved_at, resolution";

  private final JdbcTemplate jdbc;

  public HandoffRegistry(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** True while a handoff of this contact is open: the bot must send nothing automatically. */
  public boolean isHumanOwned(String contactId) {
    Integer n = jdbc.queryForObject(
        "select count(*) from handoff where contact_id = ? and resolved_at is null", Integer.class, contactId);
    return n != null && n > 0;
  }

  /**
   * The send pipeline's question: must this automatic message be held back because a human owns
   * the conversation? Never for the handoff's own messages (the agent's replies, holding and
   * out-of-hours notices, sent with journey key {@code relais-handoff}) nor for COMPLIANCE answers.
   */
  @Override
  public boolean mutesBot(String contactId, JourneyStep step, MessageCategory category) {
    return concerns(step, category) && isHumanOwned(contactId);
  }

  /** The same, from an open handoff the caller read (the send pipeline, with the contact). */
  @Override
  public boolean mutesBot(String contactId, JourneyStep step, MessageCategory category, boolean handoffOpen) {
    return concerns(step, category) && handoffOpen;
  }

  private static boolean concerns(JourneyStep step, MessageCategory category) {
    return category != MessageCategory.COMPLIANCE && (step == null || !HandoffVariables.PROCESS_ID.equals(step.journeyKey()));
  }

  /** The open handoff of a contact, if any (its process instance waits for the agent or the customer). */
  public Optional<Handoff> openFor(String contactId) {
    return jdbc.query("select " + COLUMNS + " from handoff where contact_id = ? and resolved_at is null order by created_at desc",
        Handoff::map, contactId).stream().findFirst();
  }

  public Optional<Handoff> find(String processInstanceId) {
    return jdbc.query("select " + COLUMNS + " from handoff where process_instance_id = ?", Handoff::map, processInstanceId)
        .stream().findFirst();
  }

  /** Opens the handoff of a process instance; a retried start finds the existing row. */
  public Handoff open(String contactId, String processInstanceId, String reason, String queue, String channel,
      boolean outOfHours, Instant at) {
    try {
      jdbc.update("insert into handoff (id, contact_id, process_instance_id, reason, queue, channel, out_of_hours, created_at) "
              + "values (?,?,?,?,?,?,?,?)",
          TimeOrderedIds.next(), contactId, processInstanceId, truncate(reason, 500), queue, channel, outOfHours, ts(at));
    } catch (DuplicateKeyException retried) {
      // same process instance: the row of the first attempt stands
    }
    return find(processInstanceId).orElseThrow();
  }

  /** First claim only: time to claim is measured once. */
  public void claimed(String processInstanceId, String agent, Instant at) {
    jdbc.update("update handoff set claimed_at = coalesce(claimed_at, ?), agent = ? where process_instance_id = ?",
        ts(at), agent, processInstanceId);
  }

  public void holdingSent(String processInstanceId, Instant at) {
    jdbc.update("update handoff set holding_sent_at = coalesce(holding_sent_at, ?) where process_instance_id = ?",
        ts(at), processInstanceId);
  }

  public void escalated(String processInstanceId, String queue, Instant at) {
    jdbc.update("update handoff set escalated_at = coalesce(escalated_at, ?), queue = ? where process_instance_id = ?",
        ts(at), queue, processInstanceId);
  }

  public void responded(String processInstanceId, Instant at) {
    jdbc.update("update handoff set first_response_at = coalesce(first_response_at, ?) where process_instance_id = ?",
        ts(at), processInstanceId);
  }

  /** Closes the handoff (the first resolution wins); the bot may speak again. */
  public void close(String processInstanceId, HandoffResolution resolution, Instant at) {
    jdbc.update("update handoff set resolved_at = ?, resolution = ? where process_instance_id = ? and resolved_at is null",
        ts(at), resolution.name(), processInstanceId);
  }

  /** Handoffs created in [from, to), for the KPIs (count, reasons, time to first response). */
  public List<Handoff> createdBetween(Instant from, Instant to) {
    return jdbc.query("select " + COLUMNS + " from handoff where created_at >= ? and created_at < ? order by created_at",
        Handoff::map, ts(from), ts(to));
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }

  private static Timestamp ts(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }

  /** One row of the {@code handoff} table. */
  public record Handoff(
      String id, String contactId, String processInstanceId, String reason, String queue, String channel,
      String agent, boolean outOfHours, Instant createdAt, Instant claimedAt, Instant holdingSentAt,
      Instant escalatedAt, Instant firstResponseAt, Instant resolvedAt, String resolution) {

    static Handoff map(ResultSet rs, int row) throws SQLException {
      return new Handoff(rs.getString("id"), rs.getString("contact_id"), rs.getString("process_instance_id"),
          rs.getString("reason"), rs.getString("queue"), rs.getString("channel"), rs.getString("agent"),
          rs.getBoolean("out_of_hours"), instant(rs, "created_at"), instant(rs, "claimed_at"),
          instant(rs, "holding_sent_at"), instant(rs, "escalated_at"), instant(rs, "first_response_at"),
          instant(rs, "resolved_at"), rs.getString("resolution"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
      Timestamp t = rs.getTimestamp(column);
      return t == null ? null : t.toInstant();
    }
  }
}
