package io.relais.conversation;

import io.relais.contact.Channel;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The {@code message} table: every message in and out, in order per contact. Unique provider ids
 * and idempotency keys make an insert of the same message twice fail with {@link
 * org.springframework.dao.DuplicateKeyException}, which callers use to deduplicate.
 */
@Repository
public class MessageLog {

  private static final String COLUMNS =
      "id, contact_id, direction, channel, category, status, body, from_address, to_address, provider, provider_id, "
          + "idempotency_key, process_instance_id, journey_key, journey_version, step_id, variant, segments, encoding, "
          + "cost, reason, error_code, created_at, updated_at";

  private final JdbcTemplate jdbc;
  private final Clock clock;

  public MessageLog(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** Inserts; throws DuplicateKeyException when the provider id or idempotency key exists. */
  public MessageRecord insert(MessageRecord m) {
    jdbc.update(
        "insert into message (" + COLUMNS + ") values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        m.id(), m.contactId(), m.direction().name(), m.channel().name(), m.category(), m.status(), m.body(),
        m.fromAddress(), m.toAddress(), m.provider(), m.providerId(), m.idempotencyKey(), m.processInstanceId(),
        m.journeyKey(), m.journeyVersion(), m.stepId(), m.variant(), m.segments(), m.encoding(), m.cost(),
        m.reason(), m.errorCode(), ts(m.createdAt()), ts(m.updatedAt() != null ? m.updatedAt() : m.createdAt()));
    return m;
  }

  public Optional<MessageRecord> find(String id) {
    return jdbc.query("select " + COLUMNS + " from message where id = ?", MAPPER, id).stream().findFirst();
  }

  public Optional<MessageRecord> findByProviderId(String provider, String providerId) {
    return jdbc.query("select " + COLUMNS + " from message where provider = ? and provider_id = ?", MAPPER, provider, providerId)
        .stream().findFirst();
  }

  public Optional<MessageRecord> findByIdempotencyKey(String key) {
    return jdbc.query("select " + COLUMNS + " from message where idempotency_key = ?", MAPPER, key).stream().findFirst();
  }

  /** Every message of a contact, oldest first. */
  public List<MessageRecord> transcript(String contactId) {
    return jdbc.query("select " + COLUMNS + " from message where contact_id = ? order by created_at, id", MAPPER, contactId);
  }

  /** Sets the status (and error code and reason when given); returns whether a row changed. */
  public boolean updateStatus(String id, String status, String errorCode, String reason) {
    return jdbc.update(
            "update message set status = ?, error_code = coalesce(?, error_code), reason = coalesce(?, reason), updated_at = ? where id = ?",
            status, errorCode, reason, ts(clock.instant()), id) == 1;
  }

  /** Records the provider's id once the provider accepted the message. */
  public void setProviderId(String id, String provider, String providerId) {
    jdbc.update("update message set provider = ?, provider_id = ?, updated_at = ? where id = ?",
        provider, providerId, ts(clock.instant()), id);
  }

  private static Timestamp ts(java.time.Instant i) {
    return i == null ? null : Timestamp.from(i);
  }

  static final RowMapper<MessageRecord> MAPPER = MessageLog::map;

  private static MessageRecord map(ResultSet rs, int row) throws SQLException {
    return new MessageRecord(
        rs.getString("id"), rs.getString("contact_id"), Direction.valueOf(rs.getString("direction")),
        Channel.valueOf(rs.getString("channel")), rs.getString("category"), rs.getString("status"),
        rs.getString("body"), rs.getString("from_address"), rs.getString("to_address"), rs.getString("provider"),
        rs.getString("provider_id"), rs.getString("idempotency_key"), rs.getString("process_instance_id"),
        rs.getString("journey_key"), (Integer) rs.getObject("journey_version", Integer.class), rs.getString("step_id"),
        rs.getString("variant"), (Integer) rs.getObject("segments", Integer.class), rs.getString("encoding"),
        (BigDecimal) rs.getBigDecimal("cost"), rs.getString("reason"), rs.getString("error_code"),
        rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
  }
}
