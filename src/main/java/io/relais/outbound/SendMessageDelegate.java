package io.relais.outbound;

import io.relais.analytics.Experiments;
import io.relais.contact.Channel;
import io.relais.journey.JourneyMessages;
import java.util.Date;
import java.util.Locale;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.springframework.stereotype.Component;

/**
 * {@code ${sendMessage}}: the BPMN adapter of the send pipeline (Task_Send of relais-send). Reads
 * the step's variables, sends, writes sendOutcome/sendReason/sendMessageId/sendNotBefore; a FAILED
 * send throws so that the job retries and ends as an incident.
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

  private final SendPipeline pipeline;
  private final Experiments experiments;

  public SendMessageDelegate(SendPipeline pipeline, Experiments experiments) {
    this.pipeline = pipeline;
    this.experiments = experiments;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String contactId = string(execution, JourneyMessages.VAR_CONTACT_ID);
    if (contactId == null) {
      contactId = execution.getProcessBusinessKey();
    }
    Channel channel = Channel.valueOf(required(execution, VAR_CHANNEL).toUpperCase(Locale.ROOT));
    String category = string(execution, VAR_CATEGORY);
    MessageCategory messageCategory = category == null ? MessageCategory.MARKETING : MessageCategory.valueOf(category.toUpperCase(Locale.ROOT));
    JourneyStep step = callingStep(execution);
    String text = string(execution, VAR_TEXT);
    String variant = null;
    var variants = Variants.parse(execution.getVariable(VAR_VARIANTS));
    if (!variants.isEmpty()) {
      // The experiment decides (same draw, winner and holdout as its results count); the message records the arm.
      Object winnerTakesAll = execution.getVariable(VAR_WINNER_TAKES_ALL);
      variant = experiments.assign(contactId, step.journeyKey(), step.journeyVersion(), step.stepId(), channel,
          Variants.weights(variants), winnerTakesAll == null ? null : Boolean.valueOf(winnerTakesAll.toString()));
      if (Experiments.HOLDOUT.equals(variant)) {
        execution.setVariable(JourneyMessages.VAR_SEND_OUTCOME, SendOutcome.HELD_OUT.name());
        execution.setVariable(JourneyMessages.VAR_SEND_REASON, "HOLDOUT");
        execution.setVariable(VAR_MESSAGE_ID, null);
        execution.setVariable(VAR_NOT_BEFORE, null);
        execution.setVariable(VAR_VARIANT, variant);
        return;
      }
      text = Variants.named(variants, variant).text();
    }
    Object attemptValue = execution.getVariable(VAR_ATTEMPT);
    int attempt = attemptValue == null ? 0 : Integer.parseInt(attemptValue.toString());
    // Stable across retries of this job (a failed job rolls back sendAttempt), new after each deferral wait.
    String key = execution.getProcessInstanceId() + ":" + execution.getCurrentActivityId() + ":" + attempt;
    SendResult result = pipeline.send(new SendRequest(key, contactId, channel, messageCategory, text,
        string(execution, VAR_SUBJECT), execution.getVariables(), string(execution, VAR_CONTENT_SID),
        Boolean.parseBoolean(String.valueOf(execution.getVariable(VAR_EXPECTS_REPLY))), step, variant));
    execution.setVariable(JourneyMessages.VAR_SEND_OUTCOME, result.outcome().name());
    execution.setVariable(JourneyMessages.VAR_SEND_REASON, result.reason());
    execution.setVariable(VAR_MESSAGE_ID, result.messageId());
    execution.setVariable(VAR_NOT_BEFORE, result.notBefore() == null ? null : Date.from(result.notBefore()));
    execution.setVariable(VAR_VARIANT, variant);
    if (result.outcome() == SendOutcome.DEFERRED) {
      execution.setVariable(VAR_ATTEMPT, attempt + 1);
    }
    if (result.outcome() == SendOutcome.FAILED) {
      throw new ProcessEngineException("Send failed (message " + result.messageId() + "): " + result.reason());
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

  private static String string(DelegateExecution execution, String name) {
    Object v = execution.getVariable(name);
    return v == null || v.toString().isBlank() ? null : v.toString();
  }

  private static String required(DelegateExecution execution, String name) {
    String v = string(execution, name);
    if (v == null) {
      throw new ProcessEngineException("Send step without the variable '" + name + "'");
    }
    return v;
  }
}
