package io.relais.contact;

/** Why a (contact, channel, purpose) may or may not receive a message now. */
public enum ConsentVerdict {
  /** A current grant for this very channel and purpose. */
  GRANTED(true),
  /** Transactional, and no explicit withdrawal. */
  NOT_REQUIRED(true),
  /** Marketing without any grant for this channel. */
  NO_GRANT(false),
  /** The latest event for this channel and purpose is a withdrawal. */
  WITHDRAWN(false),
  /** Marketing paused by the customer (PAUSE keyword) until a date. */
  PAUSED(false),
  /** The phone or email is on the suppression list (erased contact, global opt-out). */
  SUPPRESSED(false),
  /** No such contact. */
  UNKNOWN_CONTACT(false);

  private final boolean allowed;

  ConsentVerdict(boolean allowed) {
    this.allowed = allowed;
  }

  public boolean allowed() {
    return allowed;
  }
}
