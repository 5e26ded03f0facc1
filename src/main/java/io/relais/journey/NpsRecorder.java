package io.relais.journey;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Records the NPS answer as process variables the analytics read from history: {@code npsScore}
 * (0–10, an Integer) and {@code npsCategory} (DETRACTOR 0–6, PASSIVE 7–8, PROMOTER 9–10, NONE when
 * the reply holds no score). Takes the classifier's {@code score} when it found one, else the
 * first number 0–10 standing alone in the reply.
 */
@Component("npsRecorder")
public class NpsRecorder implements JavaDelegate {

  public static final String VAR_NPS_SCORE = "npsScore";
  public static final String VAR_NPS_CATEGORY = "npsCategory";
  private static final Pattern NUMBER = Pattern.compile("(?<![\\d,.])(10|[0-9])(?!\\d)(?![,.]\\d)");

  @Override
  public void execute(DelegateExecution execution) {
    Integer score = score(execution.getVariable("score"), execution.getVariable(JourneyMessages.VAR_REPLY_TEXT));
    execution.setVariable(VAR_NPS_SCORE, score);
    execution.setVariable(VAR_NPS_CATEGORY, category(score));
  }

  static Integer score(Object classified, Object replyText) {
    if (classified != null) {
      try {
        int s = Integer.parseInt(classified.toString().trim());
        if (s >= 0 && s <= 10) {
          return s;
        }
      } catch (NumberFormatException e) {
        // fall back to the text
      }
    }
    if (replyText == null) {
      return null;
    }
    Matcher m = NUMBER.matcher(replyText.toString());
    return m.find() ? Integer.valueOf(m.group(1)) : null;
  }

  static String category(Integer score) {
    if (score == null) {
      return "NONE";
    }
    return score <= 6 ? "DETRACTOR" : score <= 8 ? "PASSIVE" : "PROMOTER";
  }
}
