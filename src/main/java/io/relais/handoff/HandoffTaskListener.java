package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;

import java.time.Clock;
import java.util.Locale;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * {@code ${handoffTaskListener}} on the agent's tasks. create: names the task after the customer
 * and the reason, and fills the form's view; assignment: records the claim and refreshes the view;
 * complete: checks the agent's choice, remembers the agent for the next turn, drops the view.
 */
@Component("handoffTaskListener")
public class HandoffTaskListener implements TaskListener {

  private final HandoffView view;
  private final HandoffRegistry registry;
  private final Clock clock;

  public HandoffTaskListener(HandoffView view, HandoffRegistry registry, Clock clock) {
    this.view = view;
    this.registry = registry;
    this.clock = clock;
  }

  @Override
  public void notify(DelegateTask task) {
    switch (task.getEventName()) {
      case EVENTNAME_CREATE -> {
        task.setName(view.taskName(contactId(task), (String) task.getVariable(REASON)));
        refreshView(task);
        if (task.getAssignee() != null) {
          registry.claimed(task.getProcessInstanceId(), task.getAssignee(), clock.instant());
        }
      }
      case EVENTNAME_ASSIGNMENT -> {
        if (task.getAssignee() != null) {
          registry.claimed(task.getProcessInstanceId(), task.getAssignee(), clock.instant());
          refreshView(task);
        }
      }
      case EVENTNAME_COMPLETE -> complete(task);
      default -> { }
    }
  }

  private void complete(DelegateTask task) {
    Object chosen = task.getVariable(AGENT_ACTION);
    AgentAction action;
    try {
      action = AgentAction.valueOf(String.valueOf(chosen).toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ProcessEngineException("Choisissez une action : REPLY, RESOLVE ou HAND_BACK (reçu : " + chosen + ")");
    }
    Object message = task.getVariable(AGENT_MESSAGE);
    if (action == AgentAction.REPLY && (message == null || message.toString().isBlank())) {
      throw new ProcessEngineException("Écrivez la réponse au client avant d'envoyer.");
    }
    task.setVariable(AGENT_ACTION, action.name());
    task.setVariable(AGENT, task.getAssignee());
    task.setVariable(LAST_TASK, task.getId());
    task.removeVariableLocal(VIEW);
  }

  /** Rebuilt on create and claim, so that messages the customer sent meanwhile are shown. */
  private void refreshView(DelegateTask task) {
    task.setVariableLocal(VIEW, view.build(contactId(task), (String) task.getVariable(REASON),
        (String) task.getVariable(CHANNEL), (String) task.getVariable(CONTEXT)));
  }

  private static String contactId(DelegateTask task) {
    return task.getExecution().getProcessBusinessKey();
  }
}
