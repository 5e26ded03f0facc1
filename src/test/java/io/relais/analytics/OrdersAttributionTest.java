package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.contact.Channel;
import io.relais.journey.JourneyMessages;
import io.relais.support.RelaisSpringTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

/** POST /api/orders: attribution windows, one attribution per order, idempotency, bad input, OrderPlaced. */
@RelaisSpringTest
class OrdersAttributionTest {

  static final Instant NOW = Instant.parse("2025-06-10T12:00:00Z");

  @Autowired EngagementEvents events;
  @Autowired JdbcTemplate jdbc;
  @Autowired ObjectMapper json;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @LocalServerPort int port;

  String contact;
  RestClient client;

  @BeforeEach
  void setUp() {
    ClockUtil.setCurrentTime(Date.from(NOW));
    contact = "c-" + UUID.randomUUID();
    client = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeaders(h -> h.setBasicAuth("integration", "integration"))
        .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {}).build();
  }

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  void engage(EngagementType type, String message, String step, Duration ago) {
    events.record(EngagementEvent.of(type, contact).journey("cart", 3, step).channel(Channel.SMS).variant("A")
        .message(message).at(NOW.minus(ago)));
  }

  ResponseEntity<String> order(Map<String, Object> body) {
    return client.post().uri("/api/orders").contentType(MediaType.APPLICATION_JSON).body(body).retrieve().toEntity(String.class);
  }

  JsonNode place(String orderId, Object amount) throws Exception {
    ResponseEntity<String> r = order(Map.of("orderId", orderId, "contactId", contact, "amount", amount, "currency", "EUR",
        "items", java.util.List.of(Map.of("sku", "SKU-1", "quantity", 1)), "placedAt", "2025-06-10T14:00:00+02:00"));
    assertThat(r.getStatusCode().is2xxSuccessful()).as(r.getBody()).isTrue();
    return json.readTree(r.getBody());
  }

  @Test
  void aClickWithinFiveDaysWinsOverALaterDelivery() throws Exception {
    String clicked = "m-" + UUID.randomUUID();
    String delivered = "m-" + UUID.randomUUID();
    engage(EngagementType.DELIVERED, clicked, "Task_Email", Duration.ofDays(5));
    engage(EngagementType.CLICKED, clicked, "Task_Email", Duration.ofDays(4).plusHours(23));
    engage(EngagementType.DELIVERED, delivered, "Task_Sms", Duration.ofHours(2));

    JsonNode r = place("o-" + UUID.randomUUID(), 42.5);
    assertThat(r.at("/attribution/type").asText()).isEqualTo("CLICK");
    assertThat(r.at("/attribution/messageId").asText()).isEqualTo(clicked);
    assertThat(r.at("/attribution/stepId").asText()).isEqualTo("Task_Email");
    assertThat(jdbc.queryForObject("select revenue from engagement_event where event_type = 'ORDERED' and message_id = ?",
        java.math.BigDecimal.class, clicked)).isEqualByComparingTo("42.50");
  }

  @Test
  void aClickOlderThanFiveDaysFallsBackToADeliveryWithin24Hours() throws Exception {
    String old = "m-" + UUID.randomUUID();
    String recent = "m-" + UUID.randomUUID();
    engage(EngagementType.CLICKED, old, "Task_Email", Duration.ofDays(5).plusMinutes(1));
    engage(EngagementType.DELIVERED, recent, "Task_Sms", Duration.ofHours(23));

    JsonNode r = place("o-" + UUID.randomUUID(), 10);
    assertThat(r.at("/attribution/type").asText()).isEqualTo("DELIVERY");
    assertThat(r.at("/attribution/messageId").asText()).isEqualTo(recent);
  }

  @Test
  void aDeliveryOlderThan24HoursEarnsNothing() throws Exception {
    engage(EngagementType.DELIVERED, "m-" + UUID.randomUUID(), "Task_Sms", Duration.ofHours(24).plusMinutes(1));
    String orderId = "o-" + UUID.randomUUID();
    JsonNode r = place(orderId, 10);
    assertThat(r.at("/attribution/type").asText()).isEqualTo("NONE");
    assertThat(jdbc.queryForObject("select count(*) from engagement_event where order_id = ?", Integer.class, orderId)).isZero();
  }

  @Test
  void aRepeatedOrderReturnsTheFirstResultAndChangesNothing() throws Exception {
    String message = "m-" + UUID.randomUUID();
    engage(EngagementType.DELIVERED, message, "Task_Sms", Duration.ofHours(1));
    String orderId = "o-" + UUID.randomUUID();
    ResponseEntity<String> first = order(Map.of("orderId", orderId, "contactId", contact, "amount", 99.9));
    ResponseEntity<String> again = order(Map.of("orderId", orderId, "contactId", contact, "amount", 1));
    assertThat(first.getStatusCode().value()).isEqualTo(201);
    assertThat(again.getStatusCode().value()).isEqualTo(200);
    assertThat(json.readTree(again.getBody())).isEqualTo(json.readTree(first.getBody()));
    assertThat(json.readTree(again.getBody()).get("amount").decimalValue()).isEqualByComparingTo("99.9");
    assertThat(jdbc.queryForObject("select count(*) from engagement_event where order_id = ?", Integer.class, orderId)).isEqualTo(1);
    assertThat(jdbc.queryForObject("select count(*) from customer_order where order_id = ?", Integer.class, orderId)).isEqualTo(1);
  }

  @Test
  void twoOrdersOnOneMessageCountOneOrderingRecipient() throws Exception {
    String message = "m-" + UUID.randomUUID();
    engage(EngagementType.DELIVERED, message, "Task_Once", Duration.ofHours(1));
    place("o-" + UUID.randomUUID(), 10);
    place("o-" + UUID.randomUUID(), 20);
    assertThat(jdbc.queryForObject("select count(*) from engagement_event where message_id = ? and event_type = 'ORDERED' "
        + "and first_key is not null", Integer.class, message)).isEqualTo(1);
  }

  @Test
  void badInputIsA400NamingTheField() {
    assertThat(order(Map.of("orderId", "x-" + UUID.randomUUID(), "amount", 5)).getBody()).contains("\"field\":\"contactId\"");
    assertThat(order(Map.of("contactId", contact, "amount", 5)).getBody()).contains("\"field\":\"orderId\"");
    ResponseEntity<String> notANumber = order(Map.of("orderId", "x-" + UUID.randomUUID(), "contactId", contact, "amount", "abc"));
    assertThat(notANumber.getStatusCode().value()).isEqualTo(400);
    assertThat(notANumber.getBody()).contains("\"field\":\"amount\"");
    assertThat(order(Map.of("orderId", "x-" + UUID.randomUUID(), "contactId", contact, "amount", -1)).getBody()).contains("\"field\":\"amount\"");
    assertThat(order(Map.of("orderId", "x-" + UUID.randomUUID(), "contactId", contact, "amount", 1, "currency", "euro")).getBody())
        .contains("\"field\":\"currency\"");
    assertThat(order(Map.of("orderId", "x-" + UUID.randomUUID(), "contactId", contact, "amount", 1, "placedAt", "hier")).getBody())
        .contains("\"field\":\"placedAt\"");
  }

  @Test
  void theOrderReachesTheContactsWaitingJourneys() throws Exception {
    String key = "order-wait-" + UUID.randomUUID().toString().substring(0, 8);
    repository.createDeployment().addModelInstance(key + ".bpmn",
        Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1)
            .startEvent().intermediateCatchEvent("Event_Order").message(JourneyMessages.ORDER_PLACED).endEvent().done())
        .deploy();
    runtime.startProcessInstanceByKey(key, contact);

    JsonNode r = place("o-" + UUID.randomUUID(), 15);
    assertThat(r.get("correlatedJourneys").asInt()).isEqualTo(1);
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(contact).count()).isZero();
  }
}
