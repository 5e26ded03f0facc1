package io.relais.handoff;

import java.time.Clock;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.ExecutionListener;
import org.springframework.stereotype.Component;

/**
 * {@code ${handoffEnded}}, the end listener of {@code relais-handoff}: a handoff whose instance
 * ends without the agent closing it (cancelled with its journey, deleted in Cockpit) is closed
 * as CANCELLED, so that a dead handoff never keeps the bot silent.
 */
@Component("handoffEnded")
public class HandoffEnded implements ExecutionListener {

  private final HandoffRegistry registry;
  private final Clock clock;

  public HandoffEnded(HandoffRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public void notify(DelegateExecution execution) {
    registry.close(execution.getProcessInstanceId(), HandoffResolution.CANCELLED, clock.instant());
  }
}
