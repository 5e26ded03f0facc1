package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;

import java.time.Clock;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code ${handoffClose}} with input {@code resolution} (RESOLVED or BOT): closes the handoff and
 * sets the {@code handoffResolution} output: the bot may speak again.
 */
@Component("handoffClose")
public class HandoffClose implements JavaDelegate {

  private final HandoffRegistry registry;
  private final HandoffHistory history;
  private final Clock clock;

  public HandoffClose(HandoffRegistry registry, HandoffHistory history, Clock clock) {
    this.registry = registry;
    this.history = history;
    this.clock = clock;
  }

  @Override
  public void execute(DelegateExecution execution) {
    HandoffResolution resolution = HandoffResolution.valueOf((String) execution.getVariable("resolution"));
    registry.close(execution.getProcessInstanceId(), resolution, clock.instant());
    execution.setVariable(RESOLUTION, resolution.name());
    history.forgetPersonalVariables(execution.getProcessInstanceId());
  }
}
