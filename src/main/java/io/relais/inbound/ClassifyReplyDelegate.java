package io.relais.inbound;

import io.relais.journey.JourneyMessages;
import io.relais.journey.VariableWrites;
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
    // The inbound router already gives a reply's CustomerReply these three variables, from the
    // same classifier: equal writes are left out (a reply's statements 83.5 -> 78.6,
    // docs/performance.md)
    VariableWrites.setIfChanged(execution, JourneyMessages.VAR_INTENT, c.intent());
    VariableWrites.setIfChanged(execution, ReplyIntents.VAR_SCORE, c.score());
    VariableWrites.setIfChanged(execution, ReplyIntents.VAR_KEYWORD, c.keyword());
  }
}
