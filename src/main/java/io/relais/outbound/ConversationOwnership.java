package io.relais.outbound;

/**
 * Whether a human agent owns a contact's conversation, in which case the bot's automatic messages
 * wait (deferred, never dropped) until the agent resolves or hands back. Implemented by the
 * handoff feature.
 */
public interface ConversationOwnership {

  boolean mutesBot(String contactId, JourneyStep step, MessageCategory category);
}
