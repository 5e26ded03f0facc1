package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.support.RelaisSpringTest;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Engagement events derived from the message table, whatever the pipelines record themselves. */
@RelaisSpringTest
class MessageProjectorTest {

  @Autowired MessageLog messages;
  @Autowired MessageProjector projector;
  @Autowired JdbcTemplate jdbc;
  @Autowired AnalyticsProperties analytics;

  static final Instant T = Instant.parse("2025-05-02T08:00:00Z");

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  MessageRecord outbound(String contact, Channel channel, Instant at) {
    return new MessageRecord(UUID.randomUUID().toString(), contact, Direction.OUT, channel, "MARKETING", "SENT", "Bonjour", "Relais",
        "+33600000000", "simulator", null, UUID.randomUUID().toString(), null, "cart", 2, "Task_Sms", "B", 2, "GSM7",
        new BigDecimal("0.09000"), null, null, at, at);
  }

  /** Runs the projector, taking the lease from the scheduled run (tests move the clock, which leases follow). */
  void catchUp() {
    catchUp(jdbc, projector);
  }

  static void catchUp(JdbcTemplate jdbc, MessageProjector projector) {
    for (int attempt = 0; attempt < 50; attempt++) {
      jdbc.update("delete from relais_lock where name = ?", "analytics-" + MessageProjector.NAME);
      if (projector.catchUp()) {
        return;
      }
      Thread.onSpinWait();
    }
    throw new AssertionError("the projector never got its lease");
  }

  List<String> types(String messageId) {
    return jdbc.queryForList("select event_type from engagement_event where message_id = ? order by id", String.class, messageId);
  }

  @Test
  void sendDeliveryAndReplyBecomeEventsOnceWithTheirJourneyAndDelay() {
    String contact = "c-" + UUID.randomUUID();
    MessageRecord sms = messages.insert(outbound(contact, Channel.SMS, T));
    MessageRecord failed = messages.insert(outbound(contact, Channel.EMAIL, T));
    ClockUtil.setCurrentTime(Date.from(T.plusSeconds(5)));
    messages.updateStatus(sms.id(), "DELIVERED", null, null);
    messages.updateStatus(failed.id(), "FAILED", "30003", "unreachable");
    messages.insert(MessageRecord.inbound(UUID.randomUUID().toString(), contact, Channel.SMS, "J'hésite entre deux produits",
        "+33600000000", "Relais", "simulator", "SM" + UUID.randomUUID(), T.plusSeconds(95)));

    ClockUtil.reset();
    projector.rewind();
    catchUp();
    catchUp(); // re-reading changes nothing

    assertThat(types(sms.id())).containsExactly("SENT", "DELIVERED", "REPLIED");
    assertThat(types(failed.id())).containsExactly("FAILED");
    assertThat(jdbc.queryForObject("select delay_ms from engagement_event where message_id = ? and event_type = 'REPLIED'", Long.class,
        sms.id())).isEqualTo(95_000L);
    assertThat(jdbc.queryForMap("select journey_key, journey_version, step_id, variant, channel, cost from engagement_event "
        + "where message_id = ? and event_type = 'SENT'", sms.id()))
        .containsEntry("JOURNEY_KEY", "cart").containsEntry("JOURNEY_VERSION", 2).containsEntry("STEP_ID", "Task_Sms")
        .containsEntry("VARIANT", "B").containsEntry("CHANNEL", "SMS");
  }

  @Test
  void aMessageReReadAfterItsStatusChangedGetsOnlyTheNewEvent() {
    String contact = "c-" + UUID.randomUUID();
    java.sql.Timestamp now = java.sql.Timestamp.from(T);
    jdbc.update("insert into contact (id, time_zone, holiday_zone, attributes, last_activity_at, created_at, updated_at) "
        + "values (?, 'Europe/Paris', 'METROPOLE', ?, ?, ?, ?)", contact, "{\"segments\":\"vip,paris\"}", now, now, now);
    MessageRecord sms = messages.insert(outbound(contact, Channel.SMS, T));
    messages.insert(outbound(contact, Channel.EMAIL, T.plus(java.time.Duration.ofDays(400)))); // a later message moves the watermark
    projector.rewind();
    catchUp();
    assertThat(types(sms.id())).containsExactly("SENT");

    // delivered afterwards: the next pass re-reads the row (from the start here, as the overlap
    // would: other tests' messages move the watermark), and SENT is recorded already
    ClockUtil.setCurrentTime(Date.from(T.plusSeconds(3)));
    messages.updateStatus(sms.id(), "DELIVERED", null, null);
    ClockUtil.reset();
    projector.rewind();
    catchUp();
    projector.rewind();
    catchUp();

    assertThat(types(sms.id())).containsExactly("SENT", "DELIVERED");
    assertThat(jdbc.queryForList("select segments from engagement_event where message_id = ? order by id", String.class, sms.id()))
        .containsExactly("vip,paris", "vip,paris");
  }

  /**
   * A page of messages to many contacts, their segments read together for the page: each event
   * carries its own contact's segments, none for a contact without any, and a message whose
   * contact row is gone is still projected.
   */
  @Test
  void eachEventOfAPageCarriesItsOwnContactsSegments() {
    java.sql.Timestamp now = java.sql.Timestamp.from(T);
    Map<String, String> segmentsByContact = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 6; i++) {
      String contact = "c-" + UUID.randomUUID();
      String segments = i == 5 ? null : "seg-" + i + ",tous";
      jdbc.update("insert into contact (id, time_zone, holiday_zone, attributes, last_activity_at, created_at, updated_at) "
          + "values (?, 'Europe/Paris', 'METROPOLE', ?, ?, ?, ?)", contact, segments == null ? null : "{\"segments\":\"" + segments + "\"}",
          now, now, now);
      segmentsByContact.put(contact, segments);
    }
    Map<String, String> messageOf = new java.util.LinkedHashMap<>();
    segmentsByContact.keySet().forEach(contact -> messageOf.put(contact, messages.insert(outbound(contact, Channel.SMS, T)).id()));
    String ghost = "c-" + UUID.randomUUID(); // no contact row
    String ghostMessage = messages.insert(outbound(ghost, Channel.SMS, T)).id();
    projector.rewind();
    catchUp();

    segmentsByContact.forEach((contact, segments) -> assertThat(jdbc.queryForList(
        "select segments from engagement_event where message_id = ? and event_type = 'SENT'", String.class, messageOf.get(contact)))
        .as("segments of the SENT event to %s", contact).singleElement().isEqualTo(segments));
    assertThat(jdbc.queryForList("select segments from engagement_event where message_id = ? and event_type = 'SENT'", String.class,
        ghostMessage)).singleElement().isNull();
  }

  /**
   * Two replies to one message, read in the same page (recorded together): both are REPLIED events,
   * the first alone measures the reply delay and counts as a replier, in the events and in the KPI
   * summary alike.
   */
  @Test
  void twoRepliesToOneMessageInOnePageMeasureTheDelayOnce() {
    String contact = "c-" + UUID.randomUUID();
    String journey = "two-replies-" + UUID.randomUUID().toString().substring(0, 8);
    MessageRecord sms = outbound(contact, Channel.SMS, T.plusSeconds(600));
    sms = messages.insert(new MessageRecord(sms.id(), contact, Direction.OUT, Channel.SMS, "MARKETING", "SENT", "Bonjour", "Relais",
        "+33600000000", "simulator", null, UUID.randomUUID().toString(), null, journey, 1, "Task_Sms", null, 1, "GSM7",
        new BigDecimal("0.09000"), null, null, T.plusSeconds(600), T.plusSeconds(600)));
    for (int s : new int[] {630, 660}) {
      messages.insert(MessageRecord.inbound(UUID.randomUUID().toString(), contact, Channel.SMS, "Oui " + s, "+33600000000", "Relais",
          "simulator", "SM" + UUID.randomUUID(), T.plusSeconds(s)));
    }
    projector.rewind();
    catchUp();

    assertThat(jdbc.queryForList("select delay_ms from engagement_event where message_id = ? and event_type = 'REPLIED' order by id",
        Long.class, sms.id())).containsExactly(30_000L, null);
    KpiRow kpis = new KpiRepository(jdbc).total(KpiFilter.all().forJourney(journey));
    assertThat(kpis.sent()).isEqualTo(1);
    assertThat(kpis.repliers()).isEqualTo(1);
    assertThat(jdbc.queryForObject("select sum(n) from kpi_delay where journey_key = ? and grain = 'D'", Long.class, journey))
        .as("one delay in each day roll-up that keeps the journey").isEqualTo(2L);
  }

  /**
   * Pages are read by (updated_at, id): 1,201 messages changed at the same instant (a bulk status
   * update) span three pages of 500, and each becomes exactly one SENT event.
   */
  @Test
  void messagesChangedAtTheSameInstantArePagedByIdWithoutLossOrRepeat() {
    String journey = "same-instant-" + UUID.randomUUID().toString().substring(0, 8);
    Instant at = T.plusSeconds(900);
    for (int i = 0; i < 1201; i++) {
      MessageRecord m = outbound("c-" + UUID.randomUUID(), Channel.SMS, at);
      messages.insert(new MessageRecord(m.id(), m.contactId(), Direction.OUT, Channel.SMS, "MARKETING", "SENT", "Bonjour", "Relais",
          "+33600000000", "simulator", null, UUID.randomUUID().toString(), null, journey, 1, "Task_Sms", null, 1, "GSM7",
          new BigDecimal("0.09000"), null, null, at, at));
    }
    projector.rewind();
    catchUp();

    assertThat(jdbc.queryForObject("select count(*) from engagement_event where journey_key = ? and event_type = 'SENT'",
        Integer.class, journey)).isEqualTo(1201);
    assertThat(jdbc.queryForObject("select count(distinct message_id) from engagement_event where journey_key = ?",
        Integer.class, journey)).isEqualTo(1201);
  }

  /**
   * Passes within the overlap, without a rewind: the unchanged rows re-read by each pass add
   * nothing, and a status change between two passes is still projected, once.
   */
  @Test
  void passesWithinTheOverlapProjectANewStatusOnceAndNothingElse() {
    String contact = "c-" + UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    MessageRecord sms = messages.insert(outbound(contact, Channel.SMS, now));
    catchUp();
    catchUp();
    assertThat(types(sms.id())).containsExactly("SENT");

    messages.updateStatus(sms.id(), "DELIVERED", null, null);
    catchUp();
    catchUp();
    assertThat(types(sms.id())).containsExactly("SENT", "DELIVERED");

    messages.updateStatus(sms.id(), "READ", null, null);
    catchUp();
    catchUp();
    assertThat(types(sms.id())).containsExactly("SENT", "DELIVERED", "OPENED");
  }

  /**
   * After a burst, quiet passes let go of the burst's row versions once the clock has left the
   * overlap behind, instead of keeping (and re-reading) them until traffic resumes.
   */
  @Test
  void aQuietPassForgetsTheRowsThatLeftTheOverlap() {
    String contact = "c-" + UUID.randomUUID();
    Instant before = dbNow().minus(analytics.projectorOverlap()).minusSeconds(60);
    List<MessageRecord> burst = List.of(messages.insert(outbound(contact, Channel.SMS, before)),
        messages.insert(outbound(contact, Channel.EMAIL, before.plusMillis(1))));
    projector.rewind();
    catchUp();
    assertThat(burst).allMatch(m -> projector.remembers(m.id()));
    assertThat(burst).allMatch(m -> types(m.id()).equals(List.of("SENT")));

    Instant quietPass = dbNow();
    catchUp(); // nothing newer came: the watermark follows the clock, the burst is out of the overlap

    assertThat(watermark()).isAfterOrEqualTo(quietPass);
    assertThat(burst).noneMatch(m -> projector.remembers(m.id()));
    assertThat(burst).allMatch(m -> types(m.id()).equals(List.of("SENT")));
  }

  /**
   * A quiet pass moves the watermark to its own start, and a transaction that wrote its row before
   * that start but committed after it is still projected: the overlap covers it.
   */
  @Test
  void aRowCommittedJustAfterAQuietPassIsStillProjected() {
    catchUp();
    Instant passStart = watermark();
    MessageRecord late = messages.insert(outbound("c-" + UUID.randomUUID(), Channel.SMS, passStart.minusSeconds(30)));

    catchUp();

    assertThat(types(late.id())).containsExactly("SENT");
  }

  Instant watermark() {
    return jdbc.queryForObject("select position from analytics_watermark where name = ?", Timestamp.class, MessageProjector.NAME)
        .toInstant();
  }

  Instant dbNow() {
    return jdbc.queryForObject("select current_timestamp", Timestamp.class).toInstant();
  }
}
