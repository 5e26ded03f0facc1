package io.relais.outbound;

/**
 * Whether a human agent owns a contact's conversation, in which case the bot's automatic messages
 * wait (deferred, never dropped) until the agent resolves or hands back. Implemented by the
 * handoff feature.
 */
public interface ConversationOwnership {

  boolean mutesBot(String contactId, JourneyStep step, MessageCategory category);

  /**
   * The same answer when the caller has already read whether a handoff of the contact is open (the
   * send pipeline reads it with the contact and its consent, {@link io.relais.contact.SendSubjects}).
   */
  default boolean mutesBot(String contactId, JourneyStep step, MessageCategory category, boolean handoffOpen) {
    return mutesBot(contactId, step, category);
  }
}
