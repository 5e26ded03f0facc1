package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.support.RelaisSpringTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** Every contact and consent endpoint over HTTP with Basic auth, including the errors. */
@RelaisSpringTest
@SuppressWarnings("unchecked")
class ContactApiTest {

  @Autowired TestRestTemplate rest;
  @Autowired MessageLog messages;
  @Autowired ConsentPolicy policy;
  @Autowired PreferenceLinks links;
  @Autowired org.springframework.jdbc.core.JdbcTemplate jdbc;

  private TestRestTemplate admin() {
    return rest.withBasicAuth("admin", "admin");
  }

  @SuppressWarnings("rawtypes")
  private ResponseEntity<Map> send(HttpMethod method, String url, Object body) {
    HttpHeaders h = new HttpHeaders();
    h.setContentType(MediaType.APPLICATION_JSON);
    return admin().exchange(url, method, new HttpEntity<>(body, h), Map.class);
  }

  private static Map<String, Object> grant(String channel) {
    return Map.of("channel", channel, "purpose", "MARKETING", "status", "GRANTED", "method", "CHECKBOX",
        "source", "https://boutique.example/inscription", "wording", "J'accepte de recevoir les offres par SMS",
        "wordingVersion", "v3", "ip", "203.0.113.7", "userAgent", "Firefox");
  }

  @Test
  void putCreatesThenUpdatesIdempotently() {
    String id = ConsentLedgerTest.freshId();
    String mobile = ConsentLedgerTest.freshMobile();
    String national = "0" + mobile.substring(3);
    Map<String, Object> body = Map.of("phone", national, "email", "Anne@Exemple.fr", "firstName", "Anne",
        "postalCode", "57000", "attributes", Map.of("segments", List.of("vip"), "tags", List.of("noel")));
    var created = send(HttpMethod.PUT, "/api/contacts/" + id, body);
    assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    assertThat(created.getBody()).containsEntry("phone", mobile).containsEntry("email", "anne@exemple.fr")
        .containsEntry("timeZone", "Europe/Paris").containsEntry("holidayZone", "ALSACE_MOSELLE");
    assertThat(send(HttpMethod.PUT, "/api/contacts/" + id, body).getStatusCode()).isEqualTo(HttpStatus.OK);

    var read = admin().getForEntity("/api/contacts/" + id, Map.class);
    assertThat(read.getBody()).containsEntry("firstName", "Anne");
    assertThat((Map<String, Object>) read.getBody().get("attributes")).containsEntry("segments", List.of("vip"));
    assertThat(rest.withBasicAuth("agent", "agent").getForEntity("/api/contacts/" + id, Map.class).getStatusCode())
        .isEqualTo(HttpStatus.OK);
  }

  @Test
  void postGeneratesTheIdAndOverseasNumbersGetTheirZone() {
    var created = send(HttpMethod.POST, "/api/contacts", Map.of("phone", "+262 692 " + ConsentLedgerTest.freshMobile().substring(6)));
    assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    assertThat(created.getHeaders().getLocation()).isNotNull();
    assertThat(created.getBody()).containsEntry("timeZone", "Indian/Reunion");
    assertThat(UUID.fromString((String) created.getBody().get("id"))).isNotNull();
  }

  @Test
  void badContactInputIsA400NamingTheField() {
    String id = ConsentLedgerTest.freshId();
    assertField(send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("phone", "06 12")), "phone");
    assertField(send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("email", "pas-un-email")), "email");
    assertField(send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("timeZone", "Mars/Olympus")), "timeZone");
    assertField(send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("id", "other")), "id");
    assertField(send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("attributes", List.of(1, 2))), "attributes");
    assertField(send(HttpMethod.POST, "/api/contacts", Map.of("id", "mine")), "id");
    assertField(send(HttpMethod.PUT, "/api/contacts/a%20b", Map.of()), "id");
    assertThat(admin().getForEntity("/api/contacts/" + id, Map.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
  }

  @Test
  void writesNeedAWriterAndEveryCallNeedsCredentials() {
    assertThat(rest.getForEntity("/api/contacts/x", Map.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    HttpHeaders h = new HttpHeaders();
    h.setContentType(MediaType.APPLICATION_JSON);
    assertThat(rest.withBasicAuth("agent", "agent").exchange("/api/contacts/" + ConsentLedgerTest.freshId(), HttpMethod.PUT,
        new HttpEntity<>(Map.of(), h), Map.class).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
  }

  @Test
  void consentsAreRecordedWithProofAndReadBackAsStateAndHistory() {
    String id = createContact();
    var granted = send(HttpMethod.POST, "/api/contacts/" + id + "/consents", grant("SMS"));
    assertThat(granted.getStatusCode()).isEqualTo(HttpStatus.CREATED);
    assertThat(granted.getBody()).containsEntry("legalBasis", "CONSENT").containsKey("occurredAt");
    send(HttpMethod.POST, "/api/contacts/" + id + "/consents", Map.of("channel", "SMS", "purpose", "MARKETING",
        "status", "WITHDRAWN", "method", "KEYWORD", "source", "sms:36180", "proof", "SM42"));
    send(HttpMethod.POST, "/api/contacts/" + id + "/consents", grant("EMAIL"));

    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);
    assertThat(policy.check(id, Channel.EMAIL, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    var consents = admin().getForEntity("/api/contacts/" + id + "/consents", Map.class).getBody();
    assertThat((List<?>) consents.get("history")).hasSize(3);
    assertThat((List<Map<String, Object>>) consents.get("current")).extracting(m -> m.get("channel") + ":" + m.get("status"))
        .containsExactlyInAnyOrder("SMS:WITHDRAWN", "EMAIL:GRANTED");
    Map<String, Object> first = (Map<String, Object>) ((List<?>) consents.get("history")).get(0);
    assertThat(first).containsEntry("ip", "203.0.113.7").containsEntry("wordingVersion", "v3");
  }

  @Test
  void badConsentInputIsA400NamingTheFieldAndWritesNothing() {
    String id = createContact();
    String url = "/api/contacts/" + id + "/consents";
    Map<String, Object> noWording = new java.util.HashMap<>(grant("SMS"));
    noWording.remove("wording");
    assertField(send(HttpMethod.POST, url, noWording), "wording");
    assertField(send(HttpMethod.POST, url, with(grant("SMS"), "channel", "PIGEON")), "channel");
    assertField(send(HttpMethod.POST, url, with(grant("SMS"), "purpose", "GOSSIP")), "purpose");
    assertField(send(HttpMethod.POST, url, with(grant("SMS"), "status", "MAYBE")), "status");
    assertField(send(HttpMethod.POST, url, with(grant("SMS"), "method", "")), "method");
    assertField(send(HttpMethod.POST, url, with(grant("SMS"), "source", "")), "source");
    assertField(send(HttpMethod.POST, url, with(grant("SMS"), "legalBasis", "SOFT_OPT_IN")), "legalBasis");
    assertField(send(HttpMethod.POST, url, with(grant("SMS"), "collectedAt", "2999-01-01T00:00:00Z")), "collectedAt");
    assertThat(send(HttpMethod.POST, "/api/contacts/" + ConsentLedgerTest.freshId() + "/consents", grant("SMS"))
        .getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    assertThat((List<?>) admin().getForEntity(url, Map.class).getBody().get("history")).isEmpty();
  }

  @Test
  void doubleOptInIsStartedForAPhoneChannel() {
    String id = createContact();
    var started = send(HttpMethod.POST, "/api/contacts/" + id + "/consents/double-opt-in", Map.of("channel", "SMS"));
    assertThat(started.getStatusCode()).isEqualTo(HttpStatus.ACCEPTED);
    assertThat(started.getBody()).containsKey("processInstanceId").containsEntry("window", "PT48H");
    assertThat(send(HttpMethod.POST, "/api/contacts/" + id + "/consents/double-opt-in", Map.of("channel", "SMS"))
        .getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertField(send(HttpMethod.POST, "/api/contacts/" + id + "/consents/double-opt-in", Map.of("channel", "EMAIL")), "channel");
    assertField(send(HttpMethod.POST, "/api/contacts/" + id + "/consents/double-opt-in", Map.of("channel", "FAX")), "channel");
  }

  @Test
  void erasingAContactDropsItsFirstMessageStillInTheOutboxWithItsPayload() {
    String id = ConsentLedgerTest.freshId();
    send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("email", id + "@exemple.fr", "firstName", "Paul"));
    String messageId = UUID.randomUUID().toString();
    java.sql.Timestamp now = java.sql.Timestamp.from(Instant.now());
    // a cart email queued by its journey's start, held by the outbox until the morning
    jdbc.update("insert into message (id, contact_id, direction, channel, category, status, body, from_address, to_address, provider, "
        + "idempotency_key, created_at, updated_at) values (?, ?, 'OUT', 'EMAIL', 'MARKETING', 'QUEUED', 'Bonjour Paul', "
        + "'bonjour@maboutique.fr', ?, 'SENDGRID', ?, ?, ?)", messageId, id, id + "@exemple.fr", "tx:" + messageId, now, now);
    jdbc.update("insert into message_outbox (message_id, subject, html, content_sid, attempts, due_at) values (?, 'Paul, votre panier', "
        + "'<p>Bonjour Paul</p>', null, 0, ?)", messageId, java.sql.Timestamp.from(Instant.now().plusSeconds(36_000)));

    assertThat(send(HttpMethod.DELETE, "/api/contacts/" + id, null).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);

    assertThat(jdbc.queryForObject("select count(*) from message_outbox where message_id = ?", Integer.class, messageId)).isZero();
    assertThat(messages.find(messageId).orElseThrow()).satisfies(m -> {
      assertThat(m.status()).isEqualTo("SUPPRESSED");
      assertThat(m.reason()).isEqualTo("ERASED");
      assertThat(m.body()).isNull();
      assertThat(m.toAddress()).isNull();
    });
  }

  @Test
  void exportThenEraseKeepsOnlySuppressionHashes() {
    String id = ConsentLedgerTest.freshId();
    String phone = ConsentLedgerTest.freshMobile();
    String email = id + "@exemple.fr";
    send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("phone", phone, "email", email, "firstName", "Paul"));
    send(HttpMethod.POST, "/api/contacts/" + id + "/consents", grant("SMS"));
    Instant now = Instant.now();
    messages.insert(MessageRecord.inbound(UUID.randomUUID().toString(), id, Channel.SMS, "Bonjour, ma commande ?", phone,
        "+33700000000", "twilio", "SM" + UUID.randomUUID(), now));
    send(HttpMethod.POST, "/api/contacts/" + id + "/consents/double-opt-in", Map.of("channel", "WHATSAPP"));

    var export = admin().getForEntity("/api/contacts/" + id + "/export", Map.class).getBody();
    assertThat((Map<String, Object>) export.get("contact")).containsEntry("firstName", "Paul");
    assertThat((List<Map<String, Object>>) export.get("messages")).extracting(m -> m.get("body")).containsExactly("Bonjour, ma commande ?");
    assertThat((List<Map<String, Object>>) export.get("consentHistory")).extracting(m -> m.get("ip")).containsExactly("203.0.113.7");
    assertThat((List<Map<String, Object>>) export.get("journeys")).extracting(m -> m.get("processDefinitionKey")).contains("double-opt-in");

    assertThat(send(HttpMethod.DELETE, "/api/contacts/" + id, null).getStatusCode()).isEqualTo(HttpStatus.NO_CONTENT);

    var after = admin().getForEntity("/api/contacts/" + id + "/export", Map.class).getBody();
    assertThat((Map<String, Object>) after.get("contact")).containsEntry("erased", true).doesNotContainKeys("phone", "email", "firstName");
    assertThat((List<Map<String, Object>>) after.get("messages")).allSatisfy(m -> assertThat(m).doesNotContainKeys("body", "fromAddress"));
    assertThat((List<?>) after.get("journeys")).isEmpty();
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.SUPPRESSED);

    assertThat(send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("firstName", "Paul")).getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    var samePhone = send(HttpMethod.PUT, "/api/contacts/" + ConsentLedgerTest.freshId(), Map.of("phone", phone));
    assertThat(samePhone.getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat((String) samePhone.getBody().get("detail")).contains("SUPPRESSED");
    assertThat(send(HttpMethod.POST, "/api/contacts", Map.of("email", email.toUpperCase())).getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(send(HttpMethod.POST, "/api/contacts/" + id + "/consents", grant("SMS")).getStatusCode()).isEqualTo(HttpStatus.CONFLICT);
    assertThat(send(HttpMethod.DELETE, "/api/contacts/" + ConsentLedgerTest.freshId(), null).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
  }

  @Test
  void theSendPipelinesLinkIsTheContactsOneTokenAndNoneOnceErasedOrUnknown() {
    String first = createContact();
    String second = createContact();
    // made on the first send, then the same on every later one and for the preferences API
    String url = links.urlFor(first, Channel.EMAIL).orElseThrow();
    assertThat(links.urlFor(first, Channel.SMS)).contains(url);
    assertThat(links.urlFor(first)).isEqualTo(url);
    assertThat(links.urlFor(second, Channel.EMAIL).orElseThrow()).startsWith(url.substring(0, url.indexOf("/u/") + 3)).isNotEqualTo(url);
    assertThat(links.contactFor(url.substring(url.indexOf("/u/") + 3))).contains(first);

    assertThat(send(HttpMethod.DELETE, "/api/contacts/" + first, null).getStatusCode().is2xxSuccessful()).isTrue();
    assertThat(links.urlFor(first, Channel.EMAIL)).isEmpty();
    assertThat(links.urlFor(ConsentLedgerTest.freshId(), Channel.EMAIL)).isEmpty();
  }

  @Test
  void preferencesPageShowsAndChangesConsentsWithProof() {
    String id = createContact();
    send(HttpMethod.POST, "/api/contacts/" + id + "/consents", grant("SMS"));
    String url = links.urlFor(id);
    assertThat(links.urlFor(id)).isEqualTo(url);
    String path = url.substring(url.indexOf("/u/"));

    var page = rest.getForEntity(path, String.class);
    assertThat(page.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(page.getBody()).contains("Vos préférences", "name=\"SMS_MARKETING\" checked", "viewport");
    assertThat(page.getHeaders().getCacheControl()).contains("no-store");

    HttpHeaders h = new HttpHeaders();
    h.setContentType(MediaType.APPLICATION_FORM_URLENCODED);
    h.set("User-Agent", "Mobile Safari");
    // Untick SMS offers, tick WhatsApp offers, keep service messages on SMS.
    var saved = rest.exchange(path, HttpMethod.POST, new HttpEntity<>("WHATSAPP_MARKETING=on&SMS_TRANSACTIONAL=on&WHATSAPP_TRANSACTIONAL=on&RCS_TRANSACTIONAL=on", h), String.class);
    assertThat(saved.getBody()).contains("Vos préférences sont enregistrées");
    assertThat(policy.check(id, Channel.SMS, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);
    assertThat(policy.check(id, Channel.WHATSAPP, Purpose.MARKETING)).isEqualTo(ConsentVerdict.GRANTED);
    assertThat(policy.check(id, Channel.SMS, Purpose.TRANSACTIONAL)).isEqualTo(ConsentVerdict.NOT_REQUIRED);
    var history = (List<Map<String, Object>>) admin().getForEntity("/api/contacts/" + id + "/consents", Map.class).getBody().get("history");
    assertThat(history).filteredOn(m -> "LINK".equals(m.get("method"))).hasSize(2)
        .allSatisfy(m -> assertThat(m).containsEntry("proof", path.substring(1)).containsEntry("userAgent", "Mobile Safari").containsKey("ip"));

    var all = rest.exchange(path, HttpMethod.POST, new HttpEntity<>("all=1", h), String.class);
    assertThat(all.getBody()).contains("vous ne recevrez plus nos offres");
    assertThat(policy.check(id, Channel.WHATSAPP, Purpose.MARKETING)).isEqualTo(ConsentVerdict.WITHDRAWN);

    assertThat(rest.getForEntity("/u/" + "x".repeat(32), String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
  }

  private String createContact() {
    String id = ConsentLedgerTest.freshId();
    send(HttpMethod.PUT, "/api/contacts/" + id, Map.of("phone", ConsentLedgerTest.freshMobile()));
    return id;
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> m = new java.util.HashMap<>(base);
    m.put(key, value);
    return m;
  }

  @SuppressWarnings("rawtypes")
  private static void assertField(ResponseEntity<Map> response, String field) {
    assertThat(response.getStatusCode()).as(String.valueOf(response.getBody())).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(response.getBody()).as(String.valueOf(response.getBody())).containsEntry("field", field);
  }
}
