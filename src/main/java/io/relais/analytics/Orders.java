package io.relais.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.relais.contact.Channel;
import io.relais.journey.JourneyMessages;
import io.relais.web.InvalidInputException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Takes in the brand's orders: stores each once (idempotent on the order id), credits its revenue
 * to the last message clicked within the click window, or else delivered within the delivery
 * window (one attribution per order), and tells the contact's running journeys ({@code OrderPlaced}).
 */
@Service
public class Orders {

  /** What {@code POST /api/orders} accepts. */
  public record OrderRequest(String orderId, String contactId, Object amount, String currency, JsonNode items, String placedAt) {}

  /** Which message, if any, earned the order. {@code type}: CLICK, DELIVERY or NONE. */
  public record Attribution(String type, String messageId, String journeyKey, Integer journeyVersion, String stepId, Channel channel,
      String variant) {}

  /** The stored outcome, returned again for a repeated order id. */
  public record OrderResult(String orderId, String contactId, BigDecimal amount, String currency, Instant placedAt,
      Attribution attribution, int correlatedJourneys) {}

  /** The result, and whether this call created it (false: a repeat of a known order id). */
  public record Placed(OrderResult result, boolean created) {}

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final EngagementEvents events;
  private final RuntimeService runtime;
  private final AttributionProperties windows;
  private final MeterRegistry registry;

  public Orders(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, EngagementEvents events, RuntimeService runtime,
      AttributionProperties windows, MeterRegistry registry) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
    this.events = events;
    this.runtime = runtime;
    this.windows = windows;
    this.registry = registry;
  }

  public Placed place(OrderRequest request) {
    if (request == null) {
      throw new InvalidInputException("orderId", "An order body is required");
    }
    String orderId = required("orderId", request.orderId(), 128);
    Optional<OrderResult> known = find(orderId);
    if (known.isPresent()) {
      return new Placed(known.get(), false);
    }
    String contactId = required("contactId", request.contactId(), 64);
    BigDecimal amount = amount(request.amount());
    String currency = request.currency() == null ? "EUR" : request.currency().trim();
    if (!currency.matches("[A-Z]{3}")) {
      throw new InvalidInputException("currency", "currency must be an ISO 4217 code such as EUR");
    }
    Instant placedAt = parseInstant(request.placedAt());
    try {
      Placed placed = tx.execute(status -> store(orderId, contactId, amount, currency, request.items(), placedAt));
      registry.counter("relais.orders", "attribution", placed.result().attribution().type()).increment();
      registry.counter("relais.orders.revenue", "currency", currency).increment(amount.doubleValue());
      return placed;
    } catch (DuplicateKeyException e) {
      // The same order id arrived concurrently: the first one wins.
      return new Placed(find(orderId).orElseThrow(), false);
    }
  }

  private Placed store(String orderId, String contactId, BigDecimal amount, String currency, JsonNode items, Instant placedAt) {
    Attribution attribution = attribute(contactId, placedAt);
    jdbc.update(
        "insert into customer_order (order_id, contact_id, amount, currency, items, placed_at, attribution, message_id, journey_key, "
            + "journey_version, step_id, channel, variant, correlated, created_at) values (?,?,?,?,?,?,?,?,?,?,?,?,?,0,?)",
        orderId, contactId, amount, currency, items == null ? null : items.toString(), Timestamp.from(placedAt),
        attribution.type(), attribution.messageId(), attribution.journeyKey(), attribution.journeyVersion(), attribution.stepId(),
        attribution.channel() == null ? null : attribution.channel().name(), attribution.variant(), Timestamp.from(clock.instant()));
    if (attribution.messageId() != null) {
      events.record(EngagementEvent.of(EngagementType.ORDERED, contactId)
          .journey(attribution.journeyKey(), attribution.journeyVersion(), attribution.stepId())
          .channel(attribution.channel())
          .variant(attribution.variant())
          .message(attribution.messageId())
          .order(orderId, amount)
          .afterReply(jdbc.queryForObject(
              "select count(*) from engagement_event where message_id = ? and event_type = 'REPLIED' and occurred_at <= ?",
              Integer.class, attribution.messageId(), Timestamp.from(placedAt)) > 0)
          .at(placedAt)
          .dedupKey("order:" + orderId));
    }
    int correlated = runtime.createMessageCorrelation(JourneyMessages.ORDER_PLACED)
        .processInstanceBusinessKey(contactId)
        .setVariables(Map.of("orderId", orderId, "orderAmount", amount.doubleValue(), "orderCurrency", currency))
        .correlateAllWithResult()
        .size();
    jdbc.update("update customer_order set correlated = ? where order_id = ?", correlated, orderId);
    return new Placed(new OrderResult(orderId, contactId, amount, currency, placedAt, attribution, correlated), true);
  }

  /** The last click within the click window, else the last delivery within the delivery window. */
  Attribution attribute(String contactId, Instant placedAt) {
    Optional<Attribution> click = lastEvent(contactId, EngagementType.CLICKED, placedAt, windows.clickWindow(), "CLICK");
    return click.or(() -> lastEvent(contactId, EngagementType.DELIVERED, placedAt, windows.deliveryWindow(), "DELIVERY"))
        .orElse(new Attribution("NONE", null, null, null, null, null, null));
  }

  private Optional<Attribution> lastEvent(String contactId, EngagementType type, Instant placedAt, Duration window, String label) {
    return jdbc.query(
        "select message_id, journey_key, journey_version, step_id, channel, variant from engagement_event where contact_id = ? and event_type = ? "
            + "and message_id is not null and occurred_at <= ? and occurred_at >= ? order by occurred_at desc, id desc fetch first 1 rows only",
        (rs, n) -> new Attribution(label, rs.getString(1), rs.getString(2), (Integer) rs.getObject(3, Integer.class), rs.getString(4),
            channel(rs.getString(5)), rs.getString(6)),
        contactId, type.name(), Timestamp.from(placedAt), Timestamp.from(placedAt.minus(window))).stream().findFirst();
  }

  public Optional<OrderResult> find(String orderId) {
    return jdbc.query("select * from customer_order where order_id = ?", Orders::map, orderId).stream().findFirst();
  }

  private static OrderResult map(ResultSet rs, int n) throws SQLException {
    return new OrderResult(rs.getString("order_id"), rs.getString("contact_id"), rs.getBigDecimal("amount"), rs.getString("currency"),
        rs.getTimestamp("placed_at").toInstant(),
        new Attribution(rs.getString("attribution"), rs.getString("message_id"), rs.getString("journey_key"),
            (Integer) rs.getObject("journey_version", Integer.class), rs.getString("step_id"),
            channel(rs.getString("channel")), rs.getString("variant")),
        rs.getInt("correlated"));
  }

  private static Channel channel(String name) {
    return name == null ? null : Channel.valueOf(name);
  }

  private Instant parseInstant(String value) {
    if (value == null || value.isBlank()) {
      return clock.instant();
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidInputException("placedAt", "placedAt must be an ISO-8601 date-time with offset, such as 2025-03-01T10:15:00+01:00");
    }
  }

  /** A JSON number (or a numeric string): read here so that a bad value is a 400 naming the field. */
  private static BigDecimal amount(Object value) {
    BigDecimal amount = null;
    if (value instanceof Number || value instanceof String) {
      try {
        amount = new BigDecimal(value.toString().trim());
      } catch (NumberFormatException e) {
        amount = null;
      }
    }
    if (amount == null || amount.signum() < 0 || amount.stripTrailingZeros().scale() > 2) {
      throw new InvalidInputException("amount", "amount must be a number of 0 or more, with at most 2 decimals");
    }
    return amount;
  }

  private static String required(String field, String value, int max) {
    if (value == null || value.isBlank()) {
      throw new InvalidInputException(field, field + " is required");
    }
    if (value.length() > max) {
      throw new InvalidInputException(field, field + " must be at most " + max + " characters");
    }
    return value;
  }
}
