package io.relais.inbound;

import io.relais.journey.JourneyMessages;
import java.util.Objects;
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
    setIfChanged(execution, JourneyMessages.VAR_INTENT, c.intent());
    setIfChanged(execution, ReplyIntents.VAR_SCORE, c.score());
    setIfChanged(execution, ReplyIntents.VAR_KEYWORD, c.keyword());
  }

  /**
   * The inbound router already gives a reply's {@code CustomerReply} these three variables, from
   * the same classifier: setting them again to the same value would still cost the engine an update
   * of the variable and a read and an update of its history row (measured: a reply's statements
   * 83.5 → 78.6, docs/performance.md).
   */
  private static void setIfChanged(DelegateExecution execution, String name, Object value) {
    if (!execution.hasVariable(name) || !Objects.equals(execution.getVariable(name), value)) {
      execution.setVariable(name, value);
    }
  }
}
