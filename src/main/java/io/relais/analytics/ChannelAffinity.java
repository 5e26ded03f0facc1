package io.relais.analytics;

import io.relais.contact.Channel;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.Purpose;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Which channel to use for a contact (bean {@code channelAffinity}), for BPMN expressions such as
 * {@code ${channelAffinity.best(execution.processBusinessKey)}}: among the channels the contact
 * consented to for marketing, the one with the best smoothed engagement rate
 * ((clicks + replies + 5 × 10 %) / (delivered + 5)); ties, and new contacts, follow the default
 * order SMS, EMAIL, WHATSAPP, RCS.
 */
@Component("channelAffinity")
public class ChannelAffinity {

  /** SMS first: the widest reach and the seed's channel; email is the cheap fallback; WhatsApp and RCS need opt-in and coverage. */
  public static final List<Channel> DEFAULT_ORDER = List.of(Channel.SMS, Channel.EMAIL, Channel.WHATSAPP, Channel.RCS);
  static final double PRIOR_RATE = 0.10;
  static final double PRIOR_WEIGHT = 5;

  private final JdbcTemplate jdbc;
  private final ObjectProvider<ConsentPolicy> consent;

  public ChannelAffinity(JdbcTemplate jdbc, ObjectProvider<ConsentPolicy> consent) {
    this.jdbc = jdbc;
    this.consent = consent;
  }

  /**
   * The best channel's name. When the contact consented to no channel, the first of the default
   * order, so that the send step answers NO_CONSENT and the journey takes its usual branch.
   */
  public String best(String contactId) {
    List<Channel> ranked = ranking(contactId);
    return ranked.isEmpty() ? DEFAULT_ORDER.get(0).name() : ranked.get(0).name();
  }

  /** The consented channels, best first. Without a ConsentPolicy bean every channel is a candidate. */
  public List<Channel> ranking(String contactId) {
    ConsentPolicy policy = consent.getIfAvailable();
    List<Channel> allowed = DEFAULT_ORDER.stream()
        .filter(c -> policy == null || policy.check(contactId, c, Purpose.MARKETING).allowed())
        .toList();
    return rank(allowed, history(contactId));
  }

  static List<Channel> rank(List<Channel> allowed, Map<Channel, long[]> history) {
    return allowed.stream()
        .sorted(Comparator.comparingDouble((Channel c) -> -score(history.get(c))).thenComparingInt(DEFAULT_ORDER::indexOf))
        .toList();
  }

  /** Smoothed rate from [delivered, engaged]: a few messages cannot swing it far from the prior. */
  static double score(long[] deliveredEngaged) {
    long delivered = deliveredEngaged == null ? 0 : deliveredEngaged[0];
    long engaged = deliveredEngaged == null ? 0 : deliveredEngaged[1];
    return (engaged + PRIOR_WEIGHT * PRIOR_RATE) / (delivered + PRIOR_WEIGHT);
  }

  private Map<Channel, long[]> history(String contactId) {
    Map<Channel, long[]> out = new EnumMap<>(Channel.class);
    jdbc.query(
        "select channel, sum(case when event_type = 'DELIVERED' then 1 else 0 end), "
            + "sum(case when event_type in ('CLICKED', 'REPLIED') and first_key is not null then 1 else 0 end) "
            + "from engagement_event where contact_id = ? and channel is not null "
            + "and event_type in ('DELIVERED', 'CLICKED', 'REPLIED') group by channel",
        rs -> {
          String name = rs.getString(1);
          if (Arrays.stream(Channel.values()).anyMatch(c -> c.name().equals(name))) {
            out.put(Channel.valueOf(name), new long[] {rs.getLong(2), rs.getLong(3)});
          }
        },
        contactId);
    return out;
  }
}
