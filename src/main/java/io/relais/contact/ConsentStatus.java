package io.relais.contact;

/** What a consent event says: a grant, a withdrawal, or a temporary pause of all marketing. */
public enum ConsentStatus {
  GRANTED,
  WITHDRAWN,
  PAUSED
}
