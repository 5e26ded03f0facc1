package io.relais.outbound;

/** The one way a message leaves Relais. Every attempt, sent or not, is recorded with its reason. */
public interface SendPipeline {

  SendResult send(SendRequest request);
}
