package io.relais.outbound;

/** The one way a message leaves Relais. Every attempt, sent or not, is recorded with its reason. */
public interface SendPipeline {

  /** Records the message in its own committed transaction, then calls the provider (a job's send). */
  SendResult send(SendRequest request);

  /**
   * Records the message in the caller's transaction: it exists if and only if that transaction
   * commits, and an external provider gets it from the outbox after the commit (a journey's start).
   */
  SendResult queue(SendRequest request);
}
