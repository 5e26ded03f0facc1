package io.relais.journey;

import io.relais.analytics.Experiments;
import io.relais.outbound.SendPipeline;
import io.relais.support.RecordingSendStep;
import org.camunda.community.process_test_coverage.spring_test.common.ProcessEngineCoverageProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * Each journey test class must take every flow node and sequence flow of the journeys it runs
 * (class coverage 100 %, checked by the coverage listener after the class). The processes the
 * journeys call (send, handoff) belong to other features and are left out of the count.
 */
@TestConfiguration(proxyBeanMethods = false)
class JourneyCoverageSettings {

  @Bean
  @Primary
  ProcessEngineCoverageProperties journeyCoverageProperties() {
    return ProcessEngineCoverageProperties.builder()
        .excludeProcessDefinitionKeys("relais-send", "relais-handoff", "double-opt-in", JourneyMigrationTest.SAMPLE_KEY)
        .assertClassCoverageAtLeast(1.0)
        .build();
  }

  /** The production send step, remembering each journey's sends for {@link JourneyTestSupport#sent}. */
  @Bean
  @Primary
  RecordingSendStep recordingSendStep(SendPipeline pipeline, Experiments experiments) {
    return new RecordingSendStep(pipeline, experiments);
  }
}
