package io.relais.contact;

import java.time.Instant;

/**
 * The consent changes other features make on a customer's behalf (keywords, provider events,
 * unsubscribe links). Each call appends an event with its proof to the ledger; none deletes one.
 */
public interface ConsentChanges {

  /**
   * Records a withdrawal of {@code purpose} on {@code channel} ({@code purpose == null}: every
   * purpose of that channel). {@code proof} is a provider message id, an event id, a token...
   */
  void withdraw(String contactId, Channel channel, Purpose purpose, ConsentMethod method, String source, String proof);

  /**
   * Re-grants marketing on {@code channel} after a START/OUI keyword, only where the contact had
   * granted it before (then withdrawn) or a double opt-in is pending; returns whether it did.
   */
  boolean regrantByKeyword(String contactId, Channel channel, String source, String proof);

  /** Pauses all marketing to the contact until {@code until} (PAUSE keyword). */
  void pauseMarketing(String contactId, Instant until, String source, String proof);
}
