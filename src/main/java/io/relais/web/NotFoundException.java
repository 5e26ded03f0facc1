package io.relais.web;

/** A resource that does not exist: answered 404. */
public class NotFoundException extends RuntimeException {

  public NotFoundException(String message) {
    super(message);
  }
}
