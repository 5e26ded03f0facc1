package io.relais.analytics;

import io.micrometer.core.instrument.MeterRegistry;

/**
 * Prometheus counters for the totals (per node; sum them across nodes): relais_messages_sent_total,
 * _delivered_, _failed_, _opened_, _clicked_, _replied_ (tag channel), relais_opt_outs_total,
 * relais_handoffs_total, relais_orders_attributed_revenue_total, relais_messages_cost_total
 * (relais_orders_total and relais_orders_revenue_total are counted by {@link Orders}).
 */
final class EngagementMetrics {

  private final MeterRegistry registry;

  EngagementMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void count(EngagementEvent e) {
    String channel = e.channel() == null ? "NONE" : e.channel().name();
    switch (e.type()) {
      case SENT -> {
        registry.counter("relais.messages.sent", "channel", channel).increment();
        if (e.cost() != null) {
          registry.counter("relais.messages.cost", "channel", channel).increment(e.cost().doubleValue());
        }
      }
      case DELIVERED -> registry.counter("relais.messages.delivered", "channel", channel).increment();
      case FAILED -> registry.counter("relais.messages.failed", "channel", channel).increment();
      case OPENED -> registry.counter("relais.messages.opened", "channel", channel).increment();
      case CLICKED -> registry.counter("relais.messages.clicked", "channel", channel).increment();
      case REPLIED -> registry.counter("relais.messages.replied", "channel", channel).increment();
      case OPTED_OUT -> registry.counter("relais.opt.outs", "channel", channel).increment();
      case HANDED_OFF -> registry.counter("relais.handoffs").increment();
      case ORDERED -> registry.counter("relais.orders.attributed.revenue", "channel", channel)
          .increment(EngagementEvents.orZero(e.revenue()).doubleValue());
      default -> { }
    }
  }
}
