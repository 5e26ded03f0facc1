package io.relais.outbound;

import io.relais.analytics.Experiments;
import io.relais.contact.Channel;
import io.relais.journey.JourneyMessages;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngineException;
import org.springframework.stereotype.Component;

/**
 * One send step of a journey, whatever runs it (relais-send's Task_Send, or the inline send step
 * of {@link InlineSendSteps}): reads the step's inputs (channel, category, text, subject,
 * contentSid, expectsReply, variants, winnerTakesAll, contactId), draws the A/B arm, sends through
 * the pipeline and answers the step's outputs (sendOutcome, sendReason, sendMessageId,
 * sendNotBefore, sendVariant). A FAILED send throws, so that the job retries and ends as an
 * incident.
 */
@Component
public class SendStep {

  private final SendPipeline pipeline;
  private final Experiments experiments;

  public SendStep(SendPipeline pipeline, Experiments experiments) {
    this.pipeline = pipeline;
    this.experiments = experiments;
  }

  /** What the step answered: its outcome and the variables it hands back to the journey. */
  public record Outcome(SendOutcome outcome, Map<String, Object> outputs) {}

  /**
   * @param inputs the step's variables (the template's placeholders come from them too)
   * @param fallbackContactId the journey's business key, used when no {@code contactId} is given
   * @param key unique per execution of the step, stable across retries of the same attempt
   */
  public Outcome run(Map<String, Object> inputs, String fallbackContactId, JourneyStep step, String key) {
    return run(inputs, fallbackContactId, step, key, false);
  }

  /**
   * @param inCallersTransaction record the message in the caller's transaction and hand it to an
   *     external provider after its commit ({@link CompliantSendPipeline#queue}), instead of
   *     committing it first and calling the provider in this thread
   */
  public Outcome run(Map<String, Object> inputs, String fallbackContactId, JourneyStep step, String key,
      boolean inCallersTransaction) {
    String contactId = string(inputs, JourneyMessages.VAR_CONTACT_ID);
    if (contactId == null) {
      contactId = fallbackContactId;
    }
    Channel channel = Channel.valueOf(required(inputs, SendMessageDelegate.VAR_CHANNEL).toUpperCase(Locale.ROOT));
    String category = string(inputs, SendMessageDelegate.VAR_CATEGORY);
    MessageCategory messageCategory =
        category == null ? MessageCategory.MARKETING : MessageCategory.valueOf(category.toUpperCase(Locale.ROOT));
    String text = string(inputs, SendMessageDelegate.VAR_TEXT);
    String variant = null;
    var variants = Variants.parse(inputs.get(SendMessageDelegate.VAR_VARIANTS));
    if (!variants.isEmpty()) {
      // The experiment decides (same draw, winner and holdout as its results count); the message records the arm.
      Object winnerTakesAll = inputs.get(SendMessageDelegate.VAR_WINNER_TAKES_ALL);
      variant = experiments.assign(contactId, step.journeyKey(), step.journeyVersion(), step.stepId(), channel,
          Variants.weights(variants), winnerTakesAll == null ? null : Boolean.valueOf(winnerTakesAll.toString()));
      if (Experiments.HOLDOUT.equals(variant)) {
        return new Outcome(SendOutcome.HELD_OUT, outputs(SendOutcome.HELD_OUT, "HOLDOUT", null, null, variant));
      }
      text = Variants.named(variants, variant).text();
    }
    SendRequest request = new SendRequest(key, contactId, channel, messageCategory, text,
        string(inputs, SendMessageDelegate.VAR_SUBJECT), inputs, string(inputs, SendMessageDelegate.VAR_CONTENT_SID),
        Boolean.parseBoolean(String.valueOf(inputs.get(SendMessageDelegate.VAR_EXPECTS_REPLY))), step, variant);
    SendResult result = inCallersTransaction ? pipeline.queue(request) : pipeline.send(request);
    if (result.outcome() == SendOutcome.FAILED) {
      throw new ProcessEngineException("Send failed (message " + result.messageId() + "): " + result.reason());
    }
    return new Outcome(result.outcome(), outputs(result.outcome(), result.reason(), result.messageId(),
        result.notBefore() == null ? null : Date.from(result.notBefore()), variant));
  }

  private static Map<String, Object> outputs(SendOutcome outcome, String reason, String messageId, Date notBefore,
      String variant) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(JourneyMessages.VAR_SEND_OUTCOME, outcome.name());
    out.put(JourneyMessages.VAR_SEND_REASON, reason);
    out.put(SendMessageDelegate.VAR_MESSAGE_ID, messageId);
    out.put(SendMessageDelegate.VAR_NOT_BEFORE, notBefore);
    out.put(SendMessageDelegate.VAR_VARIANT, variant);
    return out;
  }

  private static String string(Map<String, Object> inputs, String name) {
    Object v = inputs.get(name);
    return v == null || v.toString().isBlank() ? null : v.toString();
  }

  private static String required(Map<String, Object> inputs, String name) {
    String v = string(inputs, name);
    if (v == null) {
      throw new ProcessEngineException("Send step without the variable '" + name + "'");
    }
    return v;
  }
}
