package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.community.process_test_coverage.core.engine.ExcludeFromProcessCoverage;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * A marketer changes a text in a journey, deploys it, and moves the running customers to the new
 * version with {@code POST /api/journeys/{key}/migrate}: they go on from where they were, on the
 * new text. Runs on a copy of abandoned-cart under its own key, so that the real journey's versions
 * stay untouched.
 */
@JourneyTest
@ExcludeFromProcessCoverage
class JourneyMigrationTest extends JourneyTestSupport {

  static final String SAMPLE_KEY = "abandoned-cart-migration-sample";

  @Test
  void runningCustomersMoveToTheNewVersionAndContinueOnIt() throws IOException {
    String v1Xml = Files.readString(Path.of("processes/abandoned-cart.bpmn"))
        .replace("id=\"abandoned-cart\"", "id=\"" + SAMPLE_KEY + "\"")
        .replace("bpmnElement=\"abandoned-cart\"", "bpmnElement=\"" + SAMPLE_KEY + "\"")
        .replace("name=\"CartAbandoned\"", "name=\"CartAbandonedMigrationSample\"");
    deploy(v1Xml);
    ProcessInstance a = start("CartAbandonedMigrationSample", newContact("m-"), Map.of("cartUrl", "https://x.fr/a"));
    ProcessInstance b = start("CartAbandonedMigrationSample", newContact("m-"), Map.of("cartUrl", "https://x.fr/b"));
    assertThat(a).isWaitingAt("Gateway_EmailEngagement");

    ProcessDefinition v2 = deploy(v1Xml.replace("votre panier vous attend ! Une question", "vos articles vous attendent ! Une question"));
    assertThat(v2.getVersion()).isGreaterThan(1);

    ResponseEntity<Map> denied = rest.withBasicAuth("agent", "agent").postForEntity("/api/journeys/" + SAMPLE_KEY + "/migrate", null, Map.class);
    assertThat(denied.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    ResponseEntity<Map> response = rest.withBasicAuth("marketer", "marketer").postForEntity("/api/journeys/" + SAMPLE_KEY + "/migrate", null, Map.class);
    assertThat(response.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(response.getBody()).containsEntry("migrated", 2).containsEntry("failed", 0).containsEntry("targetVersion", v2.getVersion());

    for (ProcessInstance pi : List.of(a, b)) {
      assertThat(runtime.createProcessInstanceQuery().processInstanceId(pi.getId()).singleResult().getProcessDefinitionId())
          .isEqualTo(v2.getId());
    }
    advance("PT24H");
    assertThat((String) sent(a).get(1).get("text")).contains("vos articles vous attendent");
    assertThat(runtime.createProcessInstanceQuery().processInstanceId(b.getId()).singleResult()).isNotNull();

    ResponseEntity<Map> unknown = rest.withBasicAuth("marketer", "marketer").postForEntity("/api/journeys/no-such-journey/migrate", null, Map.class);
    assertThat(unknown.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
  }

  private ProcessDefinition deploy(String xml) {
    var d = repository.createDeployment().name("migration-sample").addString(SAMPLE_KEY + ".bpmn", xml).deployWithResult();
    return d.getDeployedProcessDefinitions().get(0);
  }
}
