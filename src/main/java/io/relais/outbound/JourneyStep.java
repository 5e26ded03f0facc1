package io.relais.outbound;

/** Where in a journey a message is sent from (all null for messages outside journeys). */
public record JourneyStep(String processInstanceId, String journeyKey, Integer journeyVersion, String stepId) {

  public static final JourneyStep NONE = new JourneyStep(null, null, null, null);
}
