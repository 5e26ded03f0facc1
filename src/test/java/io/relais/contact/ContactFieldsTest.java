package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.web.InvalidInputException;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ContactFieldsTest {

  @Test
  void onlyANumberInTheShapeItIsStoredInIsLookedUpAsGiven() {
    assertThat(ContactFields.e164Shaped("+33612345678")).isEqualTo("+33612345678");
    assertThat(ContactFields.e164Shaped(" whatsapp:+33612345678 ")).isEqualTo("+33612345678");
    // its shape, not its validity: the look-up finds no contact for it, and the parse refuses it
    assertThat(ContactFields.e164Shaped("+33012345678")).isEqualTo("+33012345678");
    for (String other : new String[] {"06 12 34 56 78", "0033612345678", "+33 6 12 34 56 78", "+0612345678", "+336", "", "rcs:+33612345678"}) {
      assertThat(ContactFields.e164Shaped(other)).as(other).isNull();
    }
    assertThat(ContactFields.e164Shaped(null)).isNull();
  }

  @ParameterizedTest
  @CsvSource({
    "06 12 34 56 78, +33612345678",
    "0612345678, +33612345678",
    "+33 6 12 34 56 78, +33612345678",
    "0033612345678, +33612345678",
    "whatsapp:+33612345678, +33612345678",
    "+262 692 12 34 56, +262692123456",
    "0692123456, +262692123456",
    "+590 690 00 12 34, +590690001234"
  })
  void frenchAndOverseasNumbersBecomeE164(String raw, String e164) {
    assertThat(ContactFields.phone(raw, "FR")).isEqualTo(e164);
  }

  @ParameterizedTest
  @CsvSource({"12", "06 12", "not a phone", "+33 1"})
  void invalidPhonesAreRefusedNamingTheField(String raw) {
    assertThatThrownBy(() -> ContactFields.phone(raw, "FR"))
        .isInstanceOf(InvalidInputException.class)
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("phone"));
  }

  @ParameterizedTest
  @CsvSource({
    "+33612345678, Europe/Paris",
    "+262692123456, Indian/Reunion",
    "+262639012345, Indian/Mayotte",
    "+590690001234, America/Guadeloupe",
    "+596696123456, America/Martinique",
    "+594694123456, America/Cayenne",
    "+32470123456, Europe/Brussels",
    "+8613800138000, Europe/Paris"
  })
  void timeZoneComesFromTheNumber(String e164, String zone) {
    assertThat(ContactFields.zoneOf(e164)).isEqualTo(ZoneId.of(zone));
  }

  @ParameterizedTest
  @CsvSource({"57000, ALSACE_MOSELLE", "67000, ALSACE_MOSELLE", "68100, ALSACE_MOSELLE", "75011, METROPOLE",
      "69001, METROPOLE", "05700, METROPOLE"})
  void holidayZoneFromPostalCode(String postalCode, HolidayZone zone) {
    assertThat(ContactFields.holidayZone(postalCode)).isEqualTo(zone);
  }

  @Test
  void holidayZoneWithoutPostalCodeIsMetropole() {
    assertThat(ContactFields.holidayZone(null)).isEqualTo(HolidayZone.METROPOLE);
  }

  @Test
  void emailsAreLowerCasedAndChecked() {
    assertThat(ContactFields.email(" Marie.Dupont@Exemple.FR ")).isEqualTo("marie.dupont@exemple.fr");
    for (String bad : new String[] {"marie", "marie@", "@exemple.fr", "marie@exemple", "ma rie@exemple.fr"}) {
      assertThatThrownBy(() -> ContactFields.email(bad)).isInstanceOf(InvalidInputException.class)
          .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("email"));
    }
  }

  @Test
  void idsAreBoundedAndPlain() {
    assertThat(ContactFields.id("crm-42_A:b")).isEqualTo("crm-42_A:b");
    assertThatThrownBy(() -> ContactFields.id("a b")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> ContactFields.id("x".repeat(65))).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> ContactFields.id("../etc")).isInstanceOf(InvalidInputException.class);
  }
}
