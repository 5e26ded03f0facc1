package io.relais.inbound;

import io.relais.contact.Channel;
import io.relais.conversation.Direction;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * What the inbound pipeline reads and writes in the shared {@code message} table beyond {@link
 * io.relais.conversation.MessageLog}: media of a message, the outcome of its processing (which
 * journey got it), the journeys that last wrote to a contact, the last inbound WhatsApp message.
 */
@Repository
class InboundStore {

  private final JdbcTemplate jdbc;
  private final Clock clock;

  InboundStore(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  void addMedia(String messageId, List<InboundMessage.Media> media) {
    for (int i = 0; i < media.size(); i++) {
      jdbc.update("insert into inbound_media (message_id, position, url, content_type) values (?, ?, ?, ?)",
          messageId, i, media.get(i).url(), media.get(i).contentType());
    }
  }

  List<InboundMessage.Media> media(String messageId) {
    return jdbc.query("select url, content_type from inbound_media where message_id = ? order by position",
        (rs, i) -> new InboundMessage.Media(rs.getString(1), rs.getString(2)), messageId);
  }

  /** Marks an inbound message PROCESSED with the journey that received it (if any) and why. */
  void markProcessed(String messageId, String processInstanceId, String journeyKey, String category, String reason) {
    jdbc.update(
        "update message set status = 'PROCESSED', process_instance_id = coalesce(?, process_instance_id), "
            + "journey_key = coalesce(?, journey_key), category = coalesce(?, category), "
            + "reason = case when reason is null then ? else reason || '; ' || ? end, updated_at = ? "
            + "where id = ? and direction = ?",
        processInstanceId, journeyKey, category, shortReason(reason), shortReason(reason),
        Timestamp.from(clock.instant()), messageId, Direction.IN.name());
  }

  private static String shortReason(String reason) {
    return reason == null ? null : reason.substring(0, Math.min(reason.length(), 400));
  }

  /** Journey instances that wrote to the contact on this channel, most recent first. */
  List<JourneyThatWrote> journeysThatWrote(String contactId, Channel channel, int limit) {
    List<JourneyThatWrote> rows = jdbc.query(
        "select process_instance_id, journey_key from message where contact_id = ? and channel = ? and direction = ? "
            + "and process_instance_id is not null order by created_at desc, id desc limit " + (limit * 4),
        (rs, n) -> new JourneyThatWrote(rs.getString(1), rs.getString(2)), contactId, channel.name(), Direction.OUT.name());
    Map<String, JourneyThatWrote> latest = new LinkedHashMap<>();
    rows.forEach(j -> latest.putIfAbsent(j.processInstanceId(), j));
    return latest.values().stream().limit(limit).toList();
  }

  /** A journey instance that wrote to a contact, and its key as its send steps recorded it (maybe null). */
  record JourneyThatWrote(String processInstanceId, String journeyKey) {}

  /** When the contact last wrote on this channel. */
  Optional<Instant> lastInbound(String contactId, Channel channel) {
    Timestamp t = jdbc.queryForObject(
        "select max(created_at) from message where contact_id = ? and channel = ? and direction = ?",
        Timestamp.class, contactId, channel.name(), Direction.IN.name());
    return Optional.ofNullable(t).map(Timestamp::toInstant);
  }
}
