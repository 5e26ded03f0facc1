package io.relais.contact;

import io.relais.journey.JourneyMessages;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * The glue of {@code processes/double-opt-in.bpmn} ({@code ${doubleOptInConfirmation.…}}): reads
 * variables, calls {@link DoubleOptIns}, writes variables. No rule lives here.
 */
@Component("doubleOptInConfirmation")
public class DoubleOptInConfirmation {

  static final String VAR_CHANNEL = "channel";
  static final String VAR_TEXT = "text";
  static final String VAR_CATEGORY = "category";
  static final String VAR_EXPECTS_REPLY = "expectsReply";
  static final String VAR_WINDOW = "doubleOptInWindow";
  static final String VAR_ATTEMPTS = "doubleOptInAttempts";
  static final String VAR_ANSWER = "doubleOptInAnswer";

  private final DoubleOptIns doubleOptIns;

  public DoubleOptInConfirmation(DoubleOptIns doubleOptIns) {
    this.doubleOptIns = doubleOptIns;
  }

  /** Before each request: the text to send and its send parameters, the attempt number, the window. */
  public void prepare(DelegateExecution execution) {
    Channel channel = Channel.valueOf((String) execution.getVariable(VAR_CHANNEL));
    Integer previous = (Integer) execution.getVariable(VAR_ATTEMPTS);
    int attempt = previous == null ? 1 : previous + 1;
    execution.setVariable(VAR_ATTEMPTS, attempt);
    execution.setVariable(VAR_TEXT, doubleOptIns.requestText(channel, attempt));
    execution.setVariable(VAR_CATEGORY, "TRANSACTIONAL");
    execution.setVariable(VAR_EXPECTS_REPLY, true);
    if (execution.getVariable(VAR_WINDOW) == null) {
      execution.setVariable(VAR_WINDOW, doubleOptIns.window());
    }
  }

  /** Classifies the reply into {@code doubleOptInAnswer}: YES, REFUSED or UNCLEAR. */
  public void readAnswer(DelegateExecution execution) {
    execution.setVariable(VAR_ANSWER, DoubleOptIns.classify((String) execution.getVariable(JourneyMessages.VAR_REPLY_TEXT)));
  }

  /** Grants marketing on the channel with the reply's message id and this journey as proof. */
  public void confirm(DelegateExecution execution) {
    Channel channel = Channel.valueOf((String) execution.getVariable(VAR_CHANNEL));
    Object replyId = execution.getVariable(JourneyMessages.VAR_REPLY_MESSAGE_ID);
    String proof = "journey:" + execution.getProcessInstanceId() + " reply:" + replyId;
    doubleOptIns.confirm(execution.getProcessBusinessKey(), channel, (String) execution.getVariable(VAR_TEXT), proof);
  }
}
