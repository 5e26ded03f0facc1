package io.relais.contact;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Looks up contacts; what the send and inbound pipelines need of the contact registry. */
public interface ContactDirectory {

  Optional<Contact> find(String contactId);

  /** The contacts of these ids that exist, by id (one look-up per page of a batch where the implementation can). */
  default Map<String, Contact> findAll(Collection<String> contactIds) {
    Map<String, Contact> found = new LinkedHashMap<>();
    contactIds.forEach(id -> find(id).ifPresent(c -> found.put(id, c)));
    return found;
  }

  /** By E.164 phone number (without any {@code whatsapp:} prefix). */
  Optional<Contact> findByPhone(String e164);

  Optional<Contact> findByEmail(String email);

  /**
   * The contact with this phone, created (without any consent) when Relais has never seen the
   * number, as when a stranger texts the brand first. Fails if the number is suppressed (erased).
   */
  Contact findOrCreateByPhone(String e164);
}
