package io.relais.contact;

/** A messaging channel. Consent is given and withdrawn per channel: an SMS opt-in never covers another. */
public enum Channel {
  SMS,
  WHATSAPP,
  EMAIL,
  RCS
}
