package io.relais.contact;

import java.util.Optional;

/**
 * The send pipeline's look-up of its recipient, in one statement where {@link ContactDirectory},
 * {@link ConsentPolicy} and the handoff feature would take three: every step that sends runs it,
 * each SMS of a burst of timers and each answer to a reply.
 */
public interface SendSubjects {

  /**
   * The contact, its verdict as {@link ConsentPolicy#check} gives it, and whether a handoff is
   * open, all read at once. Empty when there is no such contact.
   *
   * @param purpose the consent purpose checked; null for a message that needs none
   */
  Optional<SendSubject> findForSend(String contactId, Channel channel, Purpose purpose);
}
