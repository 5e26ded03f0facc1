package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;

import io.relais.contact.Channel;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code ${handoffStart}}: opens the handoff (the bot falls silent), settles queue and channel,
 * and computes the promises: out of hours or not, SLA and escalation instants counted from the
 * agents' next opening.
 */
@Component("handoffStart")
public class HandoffStart implements JavaDelegate {

  /** Caller variables worth showing the agent: the cart and the order, nothing about the person. */
  private static final Pattern CONTEXT_NAMES = Pattern.compile("(?i).*(cart|order|panier|commande).*");
  private static final int CONTEXT_MAX = 3000;

  private final HandoffRegistry registry;
  private final HandoffProperties properties;
  private final MessageLog messages;
  private final Clock clock;

  public HandoffStart(HandoffRegistry registry, HandoffProperties properties, MessageLog messages, Clock clock) {
    this.registry = registry;
    this.properties = properties;
    this.messages = messages;
    this.clock = clock;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String contactId = execution.getProcessBusinessKey();
    if (contactId == null || contactId.isBlank()) {
      throw new IllegalArgumentException("relais-handoff needs the contact id as business key");
    }
    String queue = blankToNull((String) execution.getVariable(QUEUE));
    queue = queue == null ? properties.defaultQueue() : queue;
    String channel = blankToNull((String) execution.getVariable(CHANNEL));
    channel = channel == null ? latestInboundChannel(contactId).name() : Channel.valueOf(channel.toUpperCase(Locale.ROOT)).name();

    Instant now = clock.instant();
    AgentHours hours = new AgentHours(properties.hours());
    Instant opens = hours.nextOpening(now);
    boolean outOfHours = !opens.equals(now);

    execution.setVariable(QUEUE, queue);
    execution.setVariable(CHANNEL, channel);
    execution.setVariable(OUT_OF_HOURS, outOfHours);
    execution.setVariable(OPENS_AT, Date.from(opens));
    execution.setVariable(SLA_AT, Date.from(opens.plus(properties.sla())));
    execution.setVariable(ESCALATE_AT, Date.from(opens.plus(properties.escalation())));
    execution.setVariable(REPLY_TIMEOUT, properties.replyTimeout().toString());
    execution.setVariable(AGENT, null);
    String context = journeyContext(execution);
    if (context != null) {
      execution.setVariable(CONTEXT, context);
    }
    registry.open(contactId, execution.getProcessInstanceId(), (String) execution.getVariable(REASON), queue, channel,
        outOfHours, now);
  }

  /** The channel the customer last wrote on: the agent answers where the customer is. */
  private Channel latestInboundChannel(String contactId) {
    List<MessageRecord> all = messages.transcript(contactId);
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).direction() == Direction.IN) {
        return all.get(i).channel();
      }
    }
    return Channel.SMS;
  }

  /** The caller's cart and order variables (plus any {@code handoffContext} given) as Markdown lines. */
  private static String journeyContext(DelegateExecution execution) {
    StringBuilder md = new StringBuilder();
    Object given = execution.getVariable(CONTEXT);
    if (given != null && !given.toString().isBlank()) {
      md.append(given).append("\n\n");
    }
    DelegateExecution caller = execution.getProcessInstance().getSuperExecution();
    if (caller != null) {
      Map<String, Object> vars = new TreeMap<>(caller.getVariables());
      vars.forEach((name, value) -> {
        if (value != null && CONTEXT_NAMES.matcher(name).matches()) {
          String shown = value.toString();
          md.append("- **").append(name).append("** : ")
              .append(shown.length() > 300 ? shown.substring(0, 300) + "…" : shown).append('\n');
        }
      });
    }
    String text = md.toString().trim();
    if (text.isEmpty()) {
      return null;
    }
    return text.length() > CONTEXT_MAX ? text.substring(0, CONTEXT_MAX) + "…" : text;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
