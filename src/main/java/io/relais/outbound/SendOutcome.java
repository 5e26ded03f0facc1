package io.relais.outbound;

/** What happened to a send request; journeys branch on it (process variable {@code sendOutcome}). */
public enum SendOutcome {
  SENT,
  NO_CONSENT,
  SUPPRESSED,
  CAPPED,
  FAILED,
  /** Quiet hours or throughput: not sent yet, due at {@link SendResult#notBefore()}. */
  DEFERRED,
  /** The contact fell in the step's A/B holdout: deliberately no message (the incremental effect's control group). */
  HELD_OUT
}
