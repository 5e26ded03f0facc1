package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContactDetailsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "The 'To' number +33612345678 is not a valid phone number.|The 'To' number [phone] is not a valid phone number.",
      "To whatsapp:+33612345678 failed|To whatsapp:[phone] failed",
      "numéro 06 12 34 56 78 refusé|numéro [phone] refusé",
      "numéro 06.12.34.56.78 refusé|numéro [phone] refusé",
      "call +33 (0)6 12 34 56 78 now|call [phone] now",
      "(+3361234) is too short for France|([phone]) is too short for France",
      "HTTP 400 {\"errors\":[{\"message\":\"lea.martin+soldes@example.org is not valid\"}]}|HTTP 400 {\"errors\":[{\"message\":\"[email] is not valid\"}]}",
  })
  void phoneNumbersAndEmailAddressesAreMarked(String text, String expected) {
    assertThat(ContactDetails.redacted(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "Twilio refused the message: code 21211 (HTTP 400)",
      "Send failed (message 12345678-1234-4321-8765-123456789012): OUTCOME_UNKNOWN",
      "contact bench-123456789 after 2 attempt(s)",
      "message m-20261130123456 at 2026-11-30T13:45:12Z",
      "SM0123456789abcdef0123456789abcdef",
  })
  void codesIdsAndDatesAreKept(String text) {
    assertThat(ContactDetails.redacted(text)).isEqualTo(text);
  }

  @Test
  void nothingToRedactIsNothing() {
    assertThat(ContactDetails.redacted(null)).isNull();
    assertThat(ContactDetails.redacted("")).isEmpty();
  }
}
