package io.relais.handoff;

/** What the agent chose in the form ({@code agentAction}). */
public enum AgentAction {
  /** Send the reply and wait for the customer. */
  REPLY,
  /** Close the conversation. */
  RESOLVE,
  /** Give the conversation back to the bot. */
  HAND_BACK
}
