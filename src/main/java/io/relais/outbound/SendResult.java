package io.relais.outbound;

import java.time.Instant;

/** The outcome of a send request, with the reason and the recorded message id. */
public record SendResult(SendOutcome outcome, String reason, String messageId, Instant notBefore) {}
