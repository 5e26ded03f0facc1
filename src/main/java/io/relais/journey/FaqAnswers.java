package io.relais.journey;

import java.text.Normalizer;
import java.util.Locale;
import org.camunda.bpm.dmn.engine.DmnDecisionResult;
import org.camunda.bpm.engine.DecisionService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.stereotype.Component;

/**
 * Looks the customer's question up in the FAQ decision table ({@code processes/faq.dmn}, decision
 * {@code faq}, edited by marketers in Modeler) and writes {@code faqAnswer} (null when no row
 * matches). The question is folded first (lower case, no accents, single spaces), so the table's
 * rows can be written plainly: {@code contains(?, "livraison")}.
 */
@Component("faqAnswers")
public class FaqAnswers implements JavaDelegate {

  static final String DECISION = "faq";
  private final DecisionService decisions;

  public FaqAnswers(DecisionService decisions) {
    this.decisions = decisions;
  }

  @Override
  public void execute(DelegateExecution execution) {
    Object text = execution.getVariable(JourneyMessages.VAR_REPLY_TEXT);
    DmnDecisionResult result =
        decisions.evaluateDecisionByKey(DECISION)
            .variables(Variables.putValue("question", fold(text == null ? "" : text.toString())))
            .evaluate();
    Object answer = result.isEmpty() ? null : result.getFirstResult().getEntry("answer");
    execution.setVariable("faqAnswer", answer);
  }

  static String fold(String text) {
    String noAccents = Normalizer.normalize(text, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    return noAccents.toLowerCase(Locale.ROOT).replaceAll("[’']", " ").replaceAll("\\s+", " ").trim();
  }
}
