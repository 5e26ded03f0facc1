package io.relais.journey;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.db.entitymanager.DbEntityManager;
import org.camunda.bpm.engine.impl.event.EventType;
import org.camunda.bpm.engine.impl.interceptor.CommandExecutor;
import org.camunda.bpm.engine.impl.persistence.entity.EventSubscriptionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.springframework.stereotype.Component;

/**
 * Delivers a message to the executions of one journey that wait for it (a reply, an email opened,
 * a link clicked), as the engine's correlate-all to a process instance, executions only, would;
 * without the correlation's generic part.
 *
 * <p>The engine's correlation finds the executions with an execution query (dynamic SQL joining the
 * subscriptions, with the authorization and tenant checks built for it), checks permissions that
 * Relais' own callers (inbound workers, webhooks, no authenticated user) never have to pass, then
 * looks the subscription up again by execution. Here: the journey's execution tree, then each
 * execution's subscriptions, both by the engine's own indexed look-ups (by process instance, by
 * execution) and both kept in the command's entities, where the steps that follow need them
 * (leaving the event removes the execution's subscriptions; a continuation walks the tree); then the
 * subscription's {@code eventReceived} with the variables, as the correlation's {@code
 * MessageEventReceivedCmd} calls it. Not a query of the subscriptions by process instance: the
 * engine has no index for it, and it would read every subscription to the message (0.78 ms a call
 * at 5,000 waiting journeys, docs/performance.md).
 *
 * <p>Every waiting execution gets the message (parallel branches); a suspended one does not, nor
 * one a previous delivery of this call removed (a branch it cancelled), as the correlation skips
 * them. Runs in the caller's engine command when there is one, else in its own (joining the
 * caller's Spring transaction).
 */
@Component
public class WaitingExecutions {

  private final CommandExecutor commands;

  public WaitingExecutions(ProcessEngine engine) {
    this.commands = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getCommandExecutorTxRequired();
  }

  /** Delivers {@code messageName} with these variables; returns how many waits it continued (0 when none waits). */
  public int deliver(String messageName, String processInstanceId, Map<String, Object> variables) {
    return commands.execute(context -> {
      DbEntityManager db = context.getDbEntityManager();
      ExecutionEntity instance = context.getExecutionManager().findExecutionById(processInstanceId);
      if (instance == null || !instance.isProcessInstanceExecution()) {
        return 0;
      }
      List<ExecutionEntity> executions = new ArrayList<>();
      executions.add(instance);
      for (int i = 0; i < executions.size(); i++) {
        executions.addAll(executions.get(i).getExecutions()); // the tree, read in one query
      }
      int delivered = 0;
      for (ExecutionEntity execution : executions) {
        if (execution.isSuspended() || db.isDeleted(execution)) {
          continue;
        }
        for (EventSubscriptionEntity subscription : new ArrayList<>(execution.getEventSubscriptions())) {
          if (subscription.isSubscriptionForEventType(EventType.MESSAGE) && messageName.equals(subscription.getEventName())
              && !db.isDeleted(subscription)) {
            // only what changes: a second reply's channel, the contact id the journey holds
            subscription.eventReceived(VariableWrites.changed(execution, variables), null, null, null, false);
            delivered++;
          }
        }
      }
      return delivered;
    });
  }
}
