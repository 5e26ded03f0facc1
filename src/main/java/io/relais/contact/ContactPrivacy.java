package io.relais.contact;

import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.web.NotFoundException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The data subject's rights (GDPR art. 15, 17, 20) and the CNIL retention rule: export everything
 * Relais holds on a contact, erase it (keeping only suppression hashes), and remove prospects
 * inactive for longer than {@code relais.contact.retention}.
 */
@Service
public class ContactPrivacy {

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final ContactRegistry registry;
  private final ConsentLedger ledger;
  private final SuppressionList suppression;
  private final MessageLog messages;
  private final RuntimeService runtime;
  private final HistoryService history;
  private final ContactProperties properties;

  public ContactPrivacy(JdbcTemplate jdbc, Clock clock, ContactRegistry registry, ConsentLedger ledger,
      SuppressionList suppression, MessageLog messages, RuntimeService runtime, HistoryService history,
      ContactProperties properties) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.registry = registry;
    this.ledger = ledger;
    this.suppression = suppression;
    this.messages = messages;
    this.runtime = runtime;
    this.history = history;
    this.properties = properties;
  }

  /** A journey the contact was in, from the engine's history. */
  public record Journey(String processInstanceId, String processDefinitionKey, String state, Instant startedAt, Instant endedAt) {}

  /** Everything about a contact, as the person may ask for it. */
  public record Export(Instant exportedAt, Contact contact, boolean customer, Instant lastPurchaseAt, Instant lastActivityAt,
      List<ConsentEvent> currentConsents, List<ConsentEvent> consentHistory, List<MessageRecord> messages,
      List<Journey> journeys) {}

  public Export export(String contactId) {
    Contact contact = registry.find(contactId).orElseThrow(() -> new NotFoundException("No contact '" + contactId + "'"));
    Map<String, Object> row = jdbc.queryForMap("select customer, last_purchase_at, last_activity_at from contact where id = ?", contactId);
    List<Journey> journeys = history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(contactId)
        .orderByProcessInstanceStartTime().asc().list().stream().map(ContactPrivacy::journey).toList();
    return new Export(clock.instant(), contact, Boolean.TRUE.equals(row.get("customer")), instant(row.get("last_purchase_at")),
        instant(row.get("last_activity_at")), ledger.current(contactId), ledger.history(contactId),
        messages.transcript(contactId), journeys);
  }

  /**
   * Erases the contact's personal data (GDPR art. 17): profile nulled, message bodies and
   * addresses wiped, web proof (IP, user agent) redacted, journeys deleted; the phone and email
   * stay only as salted hashes on the suppression list so that nobody re-imports them.
   */
  @Transactional
  public void erase(String contactId) {
    Map<String, Object> row = jdbc.queryForList("select phone, email from contact where id = ? for update", contactId)
        .stream().findFirst().orElseThrow(() -> new NotFoundException("No contact '" + contactId + "'"));
    suppression.add("PHONE", (String) row.get("phone"), SuppressionList.REASON_ERASED);
    suppression.add("EMAIL", (String) row.get("email"), SuppressionList.REASON_ERASED);
    jdbc.update("update contact set phone = null, email = null, first_name = null, last_name = null, locale = null, "
        + "postal_code = null, attributes = null, unsubscribe_token = null, marketing_paused_until = null, "
        + "erased = true, updated_at = ? where id = ?", Timestamp.from(clock.instant()), contactId);
    jdbc.update("update consent_event set ip = null, user_agent = null where contact_id = ?", contactId);
    // a first message still in the outbox (held for the morning, waiting for a retry) does not go,
    // and its provider payload (subject, HTML part) goes with the rest
    jdbc.update("delete from message_outbox where message_id in (select id from message where contact_id = ?)", contactId);
    jdbc.update("update message set status = 'SUPPRESSED', reason = 'ERASED', cost = null where contact_id = ? and status = 'QUEUED'",
        contactId);
    jdbc.update("update message set body = null, from_address = null, to_address = null where contact_id = ?", contactId);
    deleteJourneys(contactId, "RGPD erasure");
  }

  /**
   * Removes prospects (never bought) without activity since the retention period: rows, consents and
   * messages go; no suppression, since the person did not object and may sign up again.
   */
  @Transactional
  public int removeInactiveProspects() {
    Instant limit = clock.instant().atZone(ZoneOffset.UTC).minus(properties.retention()).toInstant();
    List<String> ids = jdbc.queryForList("select id from contact where customer = false and erased = false "
        + "and last_activity_at < ?", String.class, Timestamp.from(limit));
    for (String id : ids) {
      deleteJourneys(id, "Retention: inactive prospect");
      jdbc.update("delete from consent_state where contact_id = ?", id);
      jdbc.update("delete from consent_event where contact_id = ?", id);
      jdbc.update("delete from message_outbox where message_id in (select id from message where contact_id = ?)", id);
      jdbc.update("delete from message where contact_id = ?", id);
      jdbc.update("delete from contact where id = ?", id);
    }
    return ids.size();
  }

  private void deleteJourneys(String contactId, String reason) {
    List<String> running = runtime.createProcessInstanceQuery().processInstanceBusinessKey(contactId).list().stream()
        .map(ProcessInstance::getId).toList();
    if (!running.isEmpty()) {
      runtime.deleteProcessInstancesIfExists(running, reason, true, true, true);
    }
    List<String> past = history.createHistoricProcessInstanceQuery().processInstanceBusinessKey(contactId).list().stream()
        .map(HistoricProcessInstance::getId).toList();
    if (!past.isEmpty()) {
      history.deleteHistoricProcessInstancesIfExists(past);
    }
  }

  private static Journey journey(HistoricProcessInstance h) {
    return new Journey(h.getId(), h.getProcessDefinitionKey(), h.getState(),
        h.getStartTime() == null ? null : h.getStartTime().toInstant(), h.getEndTime() == null ? null : h.getEndTime().toInstant());
  }

  private static Instant instant(Object timestamp) {
    return timestamp == null ? null : ((Timestamp) timestamp).toInstant();
  }
}
