package io.relais.outbound;

import io.relais.journey.JourneyMessages;
import java.util.Map;
import org.camunda.bpm.engine.OptimisticLockingException;
import org.camunda.bpm.engine.RuntimeService;
import org.springframework.stereotype.Component;

/**
 * Tells a journey instance that its customer clicked or opened (LinkClicked, EmailOpened): every
 * wait of that instance for the message continues, and nobody waiting is not an error.
 */
@Component
public class JourneySignals {

  private final RuntimeService runtime;

  public JourneySignals(RuntimeService runtime) {
    this.runtime = runtime;
  }

  /** Correlates {@code messageName} to the instance; returns how many waits it continued. */
  public int signal(String messageName, String processInstanceId, Map<String, Object> variables) {
    if (processInstanceId == null) {
      return 0;
    }
    for (int attempt = 1; ; attempt++) {
      try {
        return JourneyMessages.toWaitingExecutions(runtime, messageName)
            .processInstanceId(processInstanceId)
            .setVariables(variables)
            .correlateAllWithResult()
            .size();
      } catch (OptimisticLockingException e) {
        if (attempt == 3) {
          throw e; // the provider retries its callback later
        }
      }
    }
  }
}
