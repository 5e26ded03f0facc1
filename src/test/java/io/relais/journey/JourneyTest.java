package io.relais.journey;

import io.relais.support.RelaisSpringTest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.camunda.community.process_test_coverage.spring_test.platform7.ProcessEngineCoverageConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The journey tests' one Spring context: the whole application ({@link RelaisSpringTest}) plus the
 * process-test-coverage engine plugin, which records every flow node and sequence flow taken and
 * writes the report to {@code target/process-test-coverage/}. Each journey test class must cover
 * 100 % of its journey ({@link JourneyCoverageSettings}). Every journey test class uses exactly
 * this annotation, so that they all share one context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@RelaisSpringTest
@Import({ProcessEngineCoverageConfiguration.class, JourneyCoverageSettings.class})
public @interface JourneyTest {}
