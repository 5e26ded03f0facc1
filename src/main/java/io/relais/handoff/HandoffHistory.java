package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;

import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * Removes from Camunda's history the variables that held personal data during a handoff (the
 * form's view with name, phone and transcript; the agent's message), which history would
 * otherwise keep after the task is gone. The message table stays the one record of the texts.
 */
@Component
public class HandoffHistory {

  private final HistoryService history;

  public HandoffHistory(@Lazy HistoryService history) {
    this.history = history;
  }

  /**
   * Forgets those removed in an earlier transaction (a completed task's view, an earlier reply):
   * a history row updated in this very transaction must not be deleted under its feet.
   */
  public void forgetPersonalVariables(String processInstanceId) {
    for (HistoricVariableInstance v : history.createHistoricVariableInstanceQuery()
        .processInstanceId(processInstanceId).variableNameIn(VIEW, AGENT_MESSAGE).includeDeleted().list()) {
      if (HistoricVariableInstance.STATE_DELETED.equals(v.getState())) {
        history.deleteHistoricVariableInstance(v.getId());
      }
    }
  }
}
