package io.relais.outbound;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.springframework.stereotype.Component;

/**
 * {@code ${sendMessage}}: the BPMN adapter of the send pipeline in relais-send (Task_Send), when a
 * journey runs relais-send as a child instance: reads the step's variables, runs {@link SendStep},
 * writes sendOutcome/sendReason/sendMessageId/sendNotBefore; a FAILED send throws so that the job
 * retries and ends as an incident. Journeys' send steps run inline by default ({@link InlineSendSteps}).
 */
@Component("sendMessage")
public class SendMessageDelegate implements JavaDelegate {

  public static final String VAR_CHANNEL = "channel";
  public static final String VAR_CATEGORY = "category";
  public static final String VAR_TEXT = "text";
  public static final String VAR_SUBJECT = "subject";
  public static final String VAR_CONTENT_SID = "contentSid";
  public static final String VAR_EXPECTS_REPLY = "expectsReply";
  public static final String VAR_VARIANTS = "variants";
  public static final String VAR_MESSAGE_ID = "sendMessageId";
  public static final String VAR_NOT_BEFORE = "sendNotBefore";
  public static final String VAR_VARIANT = "sendVariant";
  /** Optional on an A/B step: true/false overrides relais.analytics.winner-takes-all for this step. */
  public static final String VAR_WINNER_TAKES_ALL = "winnerTakesAll";
  /** Counts deferrals of this step, so each new attempt after a wait has its own idempotency key. */
  public static final String VAR_ATTEMPT = "sendAttempt";

  private final SendStep sendStep;

  public SendMessageDelegate(SendStep sendStep) {
    this.sendStep = sendStep;
  }

  @Override
  public void execute(DelegateExecution execution) {
    Object attemptValue = execution.getVariable(VAR_ATTEMPT);
    int attempt = attemptValue == null ? 0 : Integer.parseInt(attemptValue.toString());
    // Stable across retries of this job (a failed job rolls back sendAttempt), new after each deferral wait.
    String key = execution.getProcessInstanceId() + ":" + execution.getCurrentActivityId() + ":" + attempt;
    SendStep.Outcome outcome = sendStep.run(execution.getVariables(), execution.getProcessBusinessKey(),
        callingStep(execution), key);
    execution.setVariables(outcome.outputs());
    if (outcome.outcome() == SendOutcome.DEFERRED) {
      execution.setVariable(VAR_ATTEMPT, attempt + 1);
    }
  }

  /**
   * The journey step the message belongs to: the calling journey (super process instance, its
   * definition and the call activity) when run inside relais-send, else this very task.
   */
  static JourneyStep callingStep(DelegateExecution execution) {
    DelegateExecution caller = execution.getProcessInstance().getSuperExecution();
    DelegateExecution at = caller != null ? caller : execution;
    // the execution holds its definition (from the deployment cache); asking the repository
    // service instead would read ACT_RE_PROCDEF on every send
    ProcessDefinition definition = at instanceof ExecutionEntity entity && entity.getProcessDefinition() != null
        ? entity.getProcessDefinition()
        : execution.getProcessEngineServices().getRepositoryService().getProcessDefinition(at.getProcessDefinitionId());
    return new JourneyStep(at.getProcessInstanceId(), definition.getKey(), definition.getVersion(), at.getCurrentActivityId());
  }
}
