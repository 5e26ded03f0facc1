package io.relais.contact;

import java.time.Instant;
import java.util.Map;

/**
 * A contact as a brand sends it (API body, import line), before normalisation. A null field
 * leaves the stored value as it is; {@code timeZone} null derives it from the phone number.
 */
public record ContactInput(
    String id,
    String phone,
    String email,
    String firstName,
    String lastName,
    String locale,
    String timeZone,
    String postalCode,
    Map<String, Object> attributes,
    Boolean customer,
    Instant lastPurchaseAt) {

  public ContactInput withId(String newId) {
    return new ContactInput(newId, phone, email, firstName, lastName, locale, timeZone, postalCode, attributes, customer, lastPurchaseAt);
  }
}
