package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;

import io.relais.contact.Channel;
import io.relais.journey.JourneyMessages;
import io.relais.outbound.JourneyStep;
import io.relais.outbound.SendOutcome;
import io.relais.outbound.SendResult;
import java.time.Clock;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code ${agentReply}}: sends the agent's reply to the customer (SERVICE, the conversation's
 * channel), records the first response time, and drops the text from the process variables (it
 * lives on in the message table).
 */
@Component("agentReply")
public class AgentReply implements JavaDelegate {

  private final CustomerNotices notices;
  private final HandoffRegistry registry;
  private final HandoffHistory history;
  private final Clock clock;

  public AgentReply(CustomerNotices notices, HandoffRegistry registry, HandoffHistory history, Clock clock) {
    this.notices = notices;
    this.registry = registry;
    this.history = history;
    this.clock = clock;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String pi = execution.getProcessInstanceId();
    String text = (String) execution.getVariable(AGENT_MESSAGE);
    // The completed task's id keys the send: stable across job retries, new for every reply.
    SendResult result = notices.send("handoff-reply:" + execution.getVariable(LAST_TASK), execution.getProcessBusinessKey(),
        Channel.valueOf((String) execution.getVariable(CHANNEL)), text, true,
        new JourneyStep(pi, PROCESS_ID, null, STEP_AGENT_REPLY));
    execution.setVariable(JourneyMessages.VAR_SEND_OUTCOME, result.outcome().name());
    if (result.outcome() == SendOutcome.SENT || result.outcome() == SendOutcome.DEFERRED) {
      registry.responded(pi, clock.instant());
    }
    execution.removeVariable(AGENT_MESSAGE);
    history.forgetPersonalVariables(pi);
  }
}
