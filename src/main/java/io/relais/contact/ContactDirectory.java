package io.relais.contact;

import java.util.Optional;

/** Looks up contacts; what the send and inbound pipelines need of the contact registry. */
public interface ContactDirectory {

  Optional<Contact> find(String contactId);

  /** By E.164 phone number (without any {@code whatsapp:} prefix). */
  Optional<Contact> findByPhone(String e164);

  Optional<Contact> findByEmail(String email);

  /**
   * The contact with this phone, created (without any consent) when Relais has never seen the
   * number, as when a stranger texts the brand first. Fails if the number is suppressed (erased).
   */
  Contact findOrCreateByPhone(String e164);
}
