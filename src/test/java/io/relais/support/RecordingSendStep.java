package io.relais.support;

import io.relais.analytics.Experiments;
import io.relais.outbound.JourneyStep;
import io.relais.outbound.SendOutcome;
import io.relais.outbound.SendPipeline;
import io.relais.outbound.SendStep;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The send step as in production, remembering what each journey asked it to send (the step's
 * inputs: channel, category, the template text, its variables), once per step execution whatever
 * the retries and deferrals: what journey tests assert about the steps they drew.
 */
public class RecordingSendStep extends SendStep {

  private final Map<String, Map<String, Map<String, Object>>> byJourney = new HashMap<>();

  public RecordingSendStep(SendPipeline pipeline, Experiments experiments) {
    super(pipeline, experiments);
  }

  @Override
  public Outcome run(Map<String, Object> inputs, String fallbackContactId, JourneyStep step, String key,
      boolean inCallersTransaction) {
    Outcome outcome = super.run(inputs, fallbackContactId, step, key, inCallersTransaction);
    if (outcome.outcome() != SendOutcome.DEFERRED && step.processInstanceId() != null) {
      synchronized (byJourney) {
        byJourney.computeIfAbsent(step.processInstanceId(), k -> new LinkedHashMap<>())
            .putIfAbsent(key, new HashMap<>(inputs));
      }
    }
    return outcome;
  }

  /** The steps' inputs of this journey instance, in the order they were sent. */
  public List<Map<String, Object>> sent(String processInstanceId) {
    synchronized (byJourney) {
      return new ArrayList<>(byJourney.getOrDefault(processInstanceId, Map.of()).values());
    }
  }
}
