package io.relais.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Addresses in delivery-tracking replies. */
class AddressExtractorTest {

  private final AddressExtractor extractor = new AddressExtractor();

  @Test
  void findsStreetPostalCodeAndCity() {
    var a = AddressExtractor.find("Je serai absent, livrez au 12 rue de la Paix 75002 Paris").orElseThrow();
    assertThat(a.street()).isEqualTo("12 rue de la Paix");
    assertThat(a.postalCode()).isEqualTo("75002");
    assertThat(a.city()).isEqualTo("Paris");
    assertThat(extractor.extract("Je serai absent, livrez au 12 rue de la Paix 75002 Paris")).isEqualTo("12 rue de la Paix, 75002 Paris");
  }

  @Test
  void toleratesCommasBisAndTrailingWords() {
    assertThat(extractor.extract("Livrez plutôt au 3 bis, avenue Jean Jaurès, 69007 Lyon merci !"))
        .isEqualTo("3 bis, avenue Jean Jaurès, 69007 Lyon");
    assertThat(extractor.extract("nouvelle adresse 5 allée des Roses 44000 Nantes. Bonne journée"))
        .isEqualTo("5 allée des Roses, 44000 Nantes");
    assertThat(extractor.extract("au 8 place du Marché 93200 Saint-Denis demain")).isEqualTo("8 place du Marché, 93200 Saint-Denis");
    assertThat(extractor.extract("10 rue Victor Hugo 76600 Le Havre")).isEqualTo("10 rue Victor Hugo, 76600 Le Havre");
  }

  @Test
  void noAddressNoResult() {
    assertThat(extractor.extract("Je serai absent demain")).isNull();
    assertThat(extractor.extract("Commande 75002 reçue")).isNull();
    assertThat(extractor.extract(null)).isNull();
  }
}
