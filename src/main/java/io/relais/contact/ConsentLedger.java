package io.relais.contact;

import io.relais.web.ConflictException;
import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The consent ledger: appends consent events with their proof (never updates nor deletes one),
 * keeps the current state per (contact, channel, purpose) in the same transaction, and answers
 * the send pipeline's "may I send" with one primary-key read.
 */
@Service
public class ConsentLedger implements ConsentPolicy, ConsentChanges {

  static final String EVENT_COLUMNS =
      "id, contact_id, channel, purpose, status, legal_basis, method, source, wording, wording_version, collected_by, "
          + "ip, user_agent, proof, paused_until, occurred_at, recorded_at";
  /** Clock skew tolerated on a caller's "collected at" before it counts as the future. */
  private static final Duration SKEW = Duration.ofMinutes(5);

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final PendingDoubleOptIns pendingDoubleOptIns;

  public ConsentLedger(JdbcTemplate jdbc, Clock clock, PendingDoubleOptIns pendingDoubleOptIns) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.pendingDoubleOptIns = pendingDoubleOptIns;
  }

  @Override
  public ConsentVerdict check(String contactId, Channel channel, Purpose purpose) {
    return jdbc.query("select " + ConsentRules.CONSENT_COLUMNS + " from contact c " + ConsentRules.CONSENT_JOIN + " where c.id = ?",
            (rs, row) -> ConsentRules.verdictOfRow(rs, purpose, clock.instant()), channel.name(), purpose.name(), contactId)
        .stream().findFirst().orElse(ConsentVerdict.UNKNOWN_CONTACT);
  }

  /**
   * Appends an event after checking it (400 naming the field; 404 unknown contact; 409 erased
   * contact) and moves the current state if the event is the latest of its channel and purpose.
   */
  @Transactional
  public ConsentEvent append(ConsentEvent event) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    ConsentEvent e = validate(event, now);
    boolean customer = lockLiveContact(e.contactId());
    if (e.status() == ConsentStatus.GRANTED && e.legalBasis() == LegalBasis.SOFT_OPT_IN && !customer) {
      // CNIL: soft opt-in needs a real sale; an account alone does not count (domain-rules R4).
      throw new InvalidInputException("legalBasis", "SOFT_OPT_IN applies only to an existing customer (a sale happened)");
    }
    GeneratedKeyHolder key = new GeneratedKeyHolder();
    jdbc.update(con -> {
      PreparedStatement ps = con.prepareStatement(
          "insert into consent_event (contact_id, channel, purpose, status, legal_basis, method, source, wording, "
              + "wording_version, collected_by, ip, user_agent, proof, paused_until, occurred_at, recorded_at) "
              + "values (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", new String[] {"id"});
      ps.setString(1, e.contactId());
      ps.setString(2, e.channel() == null ? null : e.channel().name());
      ps.setString(3, e.purpose().name());
      ps.setString(4, e.status().name());
      ps.setString(5, e.legalBasis() == null ? null : e.legalBasis().name());
      ps.setString(6, e.method().name());
      ps.setString(7, e.source());
      ps.setString(8, e.wording());
      ps.setString(9, e.wordingVersion());
      ps.setString(10, e.collectedBy());
      ps.setString(11, e.ip());
      ps.setString(12, e.userAgent());
      ps.setString(13, e.proof());
      ps.setTimestamp(14, e.pausedUntil() == null ? null : Timestamp.from(e.pausedUntil()));
      ps.setTimestamp(15, Timestamp.from(e.occurredAt()));
      ps.setTimestamp(16, Timestamp.from(now));
      return ps;
    }, key);
    long id = key.getKey().longValue();
    if (e.channel() != null && e.status() != ConsentStatus.PAUSED) {
      moveState(e.contactId(), e.channel(), e.purpose(), e.status(), id, e.occurredAt());
    }
    return new ConsentEvent(id, e.contactId(), e.channel(), e.purpose(), e.status(), e.legalBasis(), e.method(),
        e.source(), e.wording(), e.wordingVersion(), e.collectedBy(), e.ip(), e.userAgent(), e.proof(), e.pausedUntil(),
        e.occurredAt(), now);
  }

  /**
   * Appends only when the current state of that channel and purpose differs and the same event
   * (status at the same instant) is not in the ledger already: re-imports add nothing.
   */
  @Transactional
  public boolean appendIfChanged(ConsentEvent event) {
    if (event.channel() != null && event.status() == currentStatus(event.contactId(), event.channel(), event.purpose())) {
      return false;
    }
    if (event.occurredAt() != null) {
      Integer same = jdbc.queryForObject("select count(*) from consent_event where contact_id = ? and channel = ? "
              + "and purpose = ? and status = ? and occurred_at = ?", Integer.class, event.contactId(),
          event.channel() == null ? null : event.channel().name(), event.purpose().name(), event.status().name(),
          Timestamp.from(event.occurredAt().truncatedTo(ChronoUnit.MILLIS)));
      if (same != null && same > 0) {
        return false;
      }
    }
    append(event);
    return true;
  }

  /** The status of the latest event of (channel, purpose), or null when there is none. */
  public ConsentStatus currentStatus(String contactId, Channel channel, Purpose purpose) {
    return jdbc.queryForList("select status from consent_state where contact_id = ? and channel = ? and purpose = ?",
        String.class, contactId, channel.name(), purpose.name()).stream().findFirst().map(ConsentStatus::valueOf).orElse(null);
  }

  /** The latest event of each channel and purpose of a contact. */
  public List<ConsentEvent> current(String contactId) {
    return jdbc.query("select " + prefixed("e") + " from consent_state s join consent_event e on e.id = s.event_id "
        + "where s.contact_id = ? order by s.channel, s.purpose", MAPPER, contactId);
  }

  /** Every event of a contact, in the order they happened. */
  public List<ConsentEvent> history(String contactId) {
    return jdbc.query("select " + EVENT_COLUMNS + " from consent_event where contact_id = ? order by occurred_at, id",
        MAPPER, contactId);
  }

  /** The end of the contact's marketing pause if one is running. */
  public Instant pausedUntil(String contactId) {
    return jdbc.queryForList("select marketing_paused_until from contact where id = ?", Timestamp.class, contactId)
        .stream().filter(t -> t != null && t.toInstant().isAfter(clock.instant())).map(Timestamp::toInstant)
        .findFirst().orElse(null);
  }

  @Override
  @Transactional
  public void withdraw(String contactId, Channel channel, Purpose purpose, ConsentMethod method, String source, String proof) {
    if (isErased(contactId)) {
      return; // already suppressed for good; nothing left to withdraw
    }
    List<Purpose> purposes = purpose == null ? List.of(Purpose.values()) : List.of(purpose);
    for (Purpose p : purposes) {
      append(ConsentEvent.of(contactId, channel, p, ConsentStatus.WITHDRAWN, null, method, source, proof));
    }
  }

  @Override
  @Transactional
  public boolean regrantByKeyword(String contactId, Channel channel, String source, String proof) {
    if (isErased(contactId)) {
      return false;
    }
    ConsentStatus marketing = currentStatus(contactId, channel, Purpose.MARKETING);
    if (marketing == ConsentStatus.GRANTED) {
      return false;
    }
    boolean withdrawnAfterGrant = marketing == ConsentStatus.WITHDRAWN && everGranted(contactId, channel, Purpose.MARKETING);
    boolean pending = !withdrawnAfterGrant && pendingDoubleOptIns.isPending(contactId, channel);
    if (!withdrawnAfterGrant && !pending) {
      return false;
    }
    append(ConsentEvent.of(contactId, channel, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        pending ? ConsentMethod.DOUBLE_OPT_IN : ConsentMethod.KEYWORD, source, proof));
    // START undoes a STOP that had also withdrawn transactional messages on this channel.
    if (currentStatus(contactId, channel, Purpose.TRANSACTIONAL) == ConsentStatus.WITHDRAWN) {
      append(ConsentEvent.of(contactId, channel, Purpose.TRANSACTIONAL, ConsentStatus.GRANTED, LegalBasis.CONSENT,
          ConsentMethod.KEYWORD, source, proof));
    }
    return true;
  }

  @Override
  @Transactional
  public void pauseMarketing(String contactId, Instant until, String source, String proof) {
    if (until == null || !until.isAfter(clock.instant())) {
      throw new InvalidInputException("until", "A pause must end in the future");
    }
    ConsentEvent pause = new ConsentEvent(null, contactId, null, Purpose.MARKETING, ConsentStatus.PAUSED, null,
        ConsentMethod.KEYWORD, source, null, null, null, null, null, proof, until, null, null);
    append(pause);
    jdbc.update("update contact set marketing_paused_until = ? where id = ?", Timestamp.from(until), contactId);
  }

  /** Whether a GRANTED event ever existed for (channel, purpose). */
  public boolean everGranted(String contactId, Channel channel, Purpose purpose) {
    Integer n = jdbc.queryForObject("select count(*) from consent_event where contact_id = ? and channel = ? "
        + "and purpose = ? and status = 'GRANTED'", Integer.class, contactId, channel.name(), purpose.name());
    return n != null && n > 0;
  }

  private boolean isErased(String contactId) {
    return jdbc.queryForList("select erased from contact where id = ?", Boolean.class, contactId).stream()
        .findFirst().orElse(false);
  }

  /** Locks the contact row for the event's transaction (404 unknown, 409 erased); returns whether a customer. */
  private boolean lockLiveContact(String contactId) {
    List<Map<String, Object>> rows =
        jdbc.queryForList("select erased, customer from contact where id = ? for update", contactId);
    if (rows.isEmpty()) {
      throw new NotFoundException("No contact '" + contactId + "'");
    }
    if (Boolean.TRUE.equals(rows.get(0).get("erased"))) {
      throw new ConflictException("Contact '" + contactId + "' was erased (RGPD): no consent can be recorded for it");
    }
    return Boolean.TRUE.equals(rows.get(0).get("customer"));
  }

  private ConsentEvent validate(ConsentEvent e, Instant now) {
    if (e.contactId() == null) {
      throw new InvalidInputException("contactId", "contactId is required");
    }
    if (e.status() == null) {
      throw new InvalidInputException("status", "status is required: GRANTED or WITHDRAWN");
    }
    if (e.channel() == null && e.status() != ConsentStatus.PAUSED) {
      throw new InvalidInputException("channel", "channel is required: one of SMS, WHATSAPP, EMAIL, RCS");
    }
    if (e.purpose() == null) {
      throw new InvalidInputException("purpose", "purpose is required: MARKETING or TRANSACTIONAL");
    }
    if (e.method() == null) {
      throw new InvalidInputException("method", "method is required: how the consent was collected");
    }
    if (e.source() == null || e.source().isBlank()) {
      throw new InvalidInputException("source", "source is required: the form URL, screen, keyword or import batch");
    }
    if (e.status() == ConsentStatus.GRANTED
        && (e.method() == ConsentMethod.CHECKBOX || e.method() == ConsentMethod.LINK)
        && (e.wording() == null || e.wording().isBlank())) {
      throw new InvalidInputException("wording", "A grant collected on the web (" + e.method() + ") needs the wording shown");
    }
    ConsentRules.maxLength("source", e.source(), 1000);
    ConsentRules.maxLength("wording", e.wording(), 10000);
    ConsentRules.maxLength("wordingVersion", e.wordingVersion(), 100);
    ConsentRules.maxLength("collectedBy", e.collectedBy(), 200);
    ConsentRules.maxLength("ip", e.ip(), 64);
    ConsentRules.maxLength("userAgent", e.userAgent(), 1000);
    ConsentRules.maxLength("proof", e.proof(), 2000);
    Instant occurred = e.occurredAt() == null ? now : e.occurredAt().truncatedTo(ChronoUnit.MILLIS);
    if (occurred.isAfter(now.plus(SKEW))) {
      throw new InvalidInputException("collectedAt", "A consent cannot be collected in the future (" + occurred + ")");
    }
    return e.at(occurred);
  }

  /** Makes (channel, purpose) point at this event unless a later one is already there. */
  private void moveState(String contactId, Channel channel, Purpose purpose, ConsentStatus status, long eventId, Instant occurred) {
    Timestamp at = Timestamp.from(occurred);
    int moved = jdbc.update("update consent_state set status = ?, event_id = ?, occurred_at = ? "
            + "where contact_id = ? and channel = ? and purpose = ? and (occurred_at < ? or (occurred_at = ? and event_id < ?))",
        status.name(), eventId, at, contactId, channel.name(), purpose.name(), at, at, eventId);
    if (moved == 0) {
      // First event of this channel and purpose (the contact row lock serialises writers).
      jdbc.update("insert into consent_state (contact_id, channel, purpose, status, event_id, occurred_at) "
              + "select ?,?,?,?,?,? where not exists "
              + "(select 1 from consent_state where contact_id = ? and channel = ? and purpose = ?)",
          contactId, channel.name(), purpose.name(), status.name(), eventId, at, contactId, channel.name(), purpose.name());
    }
  }

  private static String prefixed(String alias) {
    return alias + "." + EVENT_COLUMNS.replace(", ", ", " + alias + ".");
  }

  static final RowMapper<ConsentEvent> MAPPER = ConsentLedger::map;

  private static ConsentEvent map(ResultSet rs, int row) throws SQLException {
    String channel = rs.getString("channel");
    String legal = rs.getString("legal_basis");
    Timestamp paused = rs.getTimestamp("paused_until");
    return new ConsentEvent(rs.getLong("id"), rs.getString("contact_id"), channel == null ? null : Channel.valueOf(channel),
        Purpose.valueOf(rs.getString("purpose")), ConsentStatus.valueOf(rs.getString("status")),
        legal == null ? null : LegalBasis.valueOf(legal), ConsentMethod.valueOf(rs.getString("method")),
        rs.getString("source"), rs.getString("wording"), rs.getString("wording_version"), rs.getString("collected_by"),
        rs.getString("ip"), rs.getString("user_agent"), rs.getString("proof"), paused == null ? null : paused.toInstant(),
        rs.getTimestamp("occurred_at").toInstant(), rs.getTimestamp("recorded_at").toInstant());
  }
}
