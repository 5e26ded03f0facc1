package io.relais.platform;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;

/** The few boundaries that keep the codebase honest. */
@AnalyzeClasses(packages = "io.relais", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** Time comes from the injected Clock (EngineClock), so tests control BPMN timers and rules together. */
  @ArchTest
  static final ArchRule timeComesFromTheClock =
      noClasses()
          .should().callMethod(Instant.class, "now")
          .orShould().callMethod(LocalDateTime.class, "now")
          .orShould().callMethod(LocalDate.class, "now")
          .orShould().callMethod(ZonedDateTime.class, "now")
          .orShould().callMethod(OffsetDateTime.class, "now")
          .because("time comes from the injected java.time.Clock (see docs/adr/0003-one-clock.md)");

  /** Camunda's web-app internals stay behind Relais' web package. */
  @ArchTest
  static final ArchRule webappInternalsOnlyInWeb =
      noClasses()
          .that().resideOutsideOfPackage("io.relais.web..")
          .should().dependOnClassesThat().resideInAPackage("org.camunda.bpm.webapp..");
}
