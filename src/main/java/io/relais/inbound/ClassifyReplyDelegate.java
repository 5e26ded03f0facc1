package io.relais.inbound;

import io.relais.journey.JourneyMessages;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code ${classifyReply}}: reads {@code replyText}, writes {@code intent}, {@code score} (0-10
 * or null) and {@code keyword} (campaign keyword or null) for the exclusive gateway after it.
 */
@Component("classifyReply")
public class ClassifyReplyDelegate implements JavaDelegate {

  private final ReplyClassifier classifier;

  public ClassifyReplyDelegate(ReplyClassifier classifier) {
    this.classifier = classifier;
  }

  @Override
  public void execute(DelegateExecution execution) {
    Object text = execution.getVariable(JourneyMessages.VAR_REPLY_TEXT);
    ReplyClassification c = classifier.classification(text == null ? null : text.toString());
    execution.setVariable(JourneyMessages.VAR_INTENT, c.intent());
    execution.setVariable(ReplyIntents.VAR_SCORE, c.score());
    execution.setVariable(ReplyIntents.VAR_KEYWORD, c.keyword());
  }
}
