package io.relais;

import static org.assertj.core.api.Assertions.assertThat;

import javax.xml.datatype.DatatypeFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The engine's timers get the same datatype factory with or without the look-up Relais spares them. */
class RelaisApplicationTest {

  final String before = System.getProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY);

  @AfterEach
  void restore() {
    if (before == null) {
      System.clearProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY);
    } else {
      System.setProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY, before);
    }
  }

  @Test
  void theNamedDatatypeFactoryIsTheOneTheLookUpFinds() throws Exception {
    System.clearProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY);
    Class<?> found = DatatypeFactory.newInstance().getClass(); // the service files of the class path, then the default

    RelaisApplication.namedDatatypeFactory();

    assertThat(System.getProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY)).isEqualTo(found.getName());
    assertThat(DatatypeFactory.newInstance().newDuration("PT24H").getHours()).isEqualTo(24);
  }

  @Test
  void anOperatorsOwnFactoryWins() {
    System.setProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY, "org.example.TheirFactory");
    RelaisApplication.namedDatatypeFactory();
    assertThat(System.getProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY)).isEqualTo("org.example.TheirFactory");
  }
}
