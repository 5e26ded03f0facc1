package io.relais.outbound;

import io.relais.journey.WaitingExecutions;
import java.util.Map;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.springframework.stereotype.Component;

/**
 * Tells a journey instance that its customer clicked or opened (LinkClicked, EmailOpened): every
 * wait of that instance for the message continues, and nobody waiting is not an error.
 */
@Component
public class JourneySignals {

  private final WaitingExecutions waiting;

  public JourneySignals(WaitingExecutions waiting) {
    this.waiting = waiting;
  }

  /** Delivers {@code messageName} to the instance's waits ({@link WaitingExecutions}); returns how many it continued. */
  public int signal(String messageName, String processInstanceId, Map<String, Object> variables) {
    if (processInstanceId == null) {
      return 0;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return waiting.deliver(messageName, processInstanceId, variables);
      } catch (OptimisticLockingException e) {
        if (attempt == 3) {
          throw e; // the provider retries its callback later
        }
      }
    }
  }
}
