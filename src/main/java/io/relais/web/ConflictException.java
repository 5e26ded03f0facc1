package io.relais.web;

/** A request that contradicts the state (for example a grant for an erased contact): 409. */
public class ConflictException extends RuntimeException {

  public ConflictException(String message) {
    super(message);
  }
}
