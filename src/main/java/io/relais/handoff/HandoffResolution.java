package io.relais.handoff;

/**
 * How a handoff ended, the {@code handoffResolution} output of {@code relais-handoff}: the agent
 * closed the conversation, gave it back to the bot, or the instance was cancelled from outside.
 */
public enum HandoffResolution {
  RESOLVED,
  BOT,
  CANCELLED
}
