package io.relais.analytics;

import io.relais.contact.Channel;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One engagement to record. Build it with {@link #of(EngagementType, String)}; anything left null
 * is simply unknown. {@code segments} null means "look them up from the contact now";
 * {@code dedupKey} makes a repeated record a no-op; {@code occurredAt} null means now.
 */
public record EngagementEvent(
    EngagementType type,
    String contactId,
    String journeyKey,
    Integer journeyVersion,
    String stepId,
    Channel channel,
    String variant,
    List<String> segments,
    String messageId,
    String orderId,
    BigDecimal revenue,
    BigDecimal cost,
    Integer score,
    Long delayMs,
    Boolean afterReply,
    Instant occurredAt,
    String dedupKey) {

  public static Builder of(EngagementType type, String contactId) {
    return new Builder(type, contactId);
  }

  /** Fluent construction, since most events know only a few of the fields. */
  public static final class Builder {
    private final EngagementType type;
    private final String contactId;
    private String journeyKey;
    private Integer journeyVersion;
    private String stepId;
    private Channel channel;
    private String variant;
    private List<String> segments;
    private String messageId;
    private String orderId;
    private BigDecimal revenue;
    private BigDecimal cost;
    private Integer score;
    private Long delayMs;
    private Boolean afterReply;
    private Instant occurredAt;
    private String dedupKey;

    private Builder(EngagementType type, String contactId) {
      this.type = type;
      this.contactId = contactId;
    }

    public Builder journey(String key, Integer version, String step) {
      this.journeyKey = key;
      this.journeyVersion = version;
      this.stepId = step;
      return this;
    }

    public Builder channel(Channel c) {
      this.channel = c;
      return this;
    }

    public Builder variant(String v) {
      this.variant = v;
      return this;
    }

    public Builder segments(List<String> s) {
      this.segments = s;
      return this;
    }

    public Builder message(String id) {
      this.messageId = id;
      return this;
    }

    public Builder order(String id, BigDecimal amount) {
      this.orderId = id;
      this.revenue = amount;
      return this;
    }

    public Builder cost(BigDecimal c) {
      this.cost = c;
      return this;
    }

    public Builder score(Integer s) {
      this.score = s;
      return this;
    }

    /** Customer response time (REPLIED) or agent first-response time (AGENT_RESPONDED). */
    public Builder delayMs(Long d) {
      this.delayMs = d;
      return this;
    }

    /** On ORDERED: the contact had replied to the credited message (post-reply conversion). */
    public Builder afterReply(boolean replied) {
      this.afterReply = replied;
      return this;
    }

    public Builder at(Instant when) {
      this.occurredAt = when;
      return this;
    }

    public Builder dedupKey(String key) {
      this.dedupKey = key;
      return this;
    }

    public EngagementEvent build() {
      return new EngagementEvent(type, contactId, journeyKey, journeyVersion, stepId, channel, variant, segments,
          messageId, orderId, revenue, cost, score, delayMs, afterReply, occurredAt, dedupKey);
    }
  }
}
