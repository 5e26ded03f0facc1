package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.web.client.RestClient;

/** The security baseline and the two ways backend systems and Modeler talk to the engine. */
@RelaisSpringTest
class SecurityAndEngineRestTest {

  @LocalServerPort int port;

  RestClient client(String user, String password) {
    RestClient.Builder b = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {});
    if (user != null) {
      b.defaultHeader(HttpHeaders.AUTHORIZATION, "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return b.build();
  }

  int deployPing(RestClient c) {
    // What Camunda Modeler's Deploy button sends.
    LinkedMultiValueMap<String, Object> body = new LinkedMultiValueMap<>();
    body.add("deployment-name", "relais-ping");
    body.add("deployment-source", "Camunda Modeler");
    body.add("deploy-changed-only", "true");
    body.add("relais-ping.bpmn", new ClassPathResource("bpmn/relais-ping.bpmn"));
    return c.post().uri("/engine-rest/deployment/create").contentType(MediaType.MULTIPART_FORM_DATA)
        .body(body).retrieve().toBodilessEntity().getStatusCode().value();
  }

  @Test
  void modelerDeployAsMarketerThenIntegrationStartsJourneyByMessage() {
    assertThat(deployPing(client("marketer", "marketer"))).isEqualTo(200);

    String businessKey = "contact-" + java.util.UUID.randomUUID();
    var result = client("integration", "integration").post().uri("/engine-rest/message")
        .contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("messageName", "RelaisPing", "businessKey", businessKey, "resultEnabled", true))
        .retrieve().toEntity(String.class);
    assertThat(result.getStatusCode().value()).isEqualTo(200);
    String instanceId;
    try {
      instanceId = new com.fasterxml.jackson.databind.ObjectMapper().readTree(result.getBody()).get(0).get("processInstance").get("id").asText();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new AssertionError("Unreadable correlation result: " + result.getBody(), e);
    }
    // Checked through the same REST API: the test JVM may hold several Spring contexts, and
    // Camunda's REST layer looks its engine up in a static registry.
    var instance = client("admin", "admin").get().uri("/engine-rest/process-instance/{id}", instanceId)
        .retrieve().toEntity(String.class);
    assertThat(instance.getStatusCode().value()).as("journey %s still waiting", instanceId).isEqualTo(200);
    assertThat(instance.getBody()).contains("\"businessKey\":\"" + businessKey + "\"")
        .contains("\"definitionId\":\"relais-ping:");
  }

  @Test
  void anAgentCannotDeploy() {
    assertThat(deployPing(client("agent", "agent"))).isEqualTo(403);
  }

  @Test
  void engineRestWithoutOrWithWrongCredentialsIs401() {
    int none = client(null, null).post().uri("/engine-rest/message").contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("messageName", "RelaisPing", "businessKey", "x")).retrieve().toBodilessEntity().getStatusCode().value();
    int wrong = client("integration", "nope").get().uri("/engine-rest/process-definition").retrieve().toBodilessEntity().getStatusCode().value();
    assertThat(none).isEqualTo(401);
    assertThat(wrong).isEqualTo(401);
    assertThat(client("admin", "admin").get().uri("/engine-rest/process-instance?businessKey=x").retrieve().body(String.class))
        .isEqualTo("[]");
  }

  @Test
  void apiNeedsAuthenticationAndTheRightGroup() {
    assertThat(client(null, null).get().uri("/api/contacts/anyone").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(401);
    assertThat(client("agent", "agent").post().uri("/api/contacts").contentType(MediaType.APPLICATION_JSON).body("{}")
        .retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(403);
  }

  @Test
  void healthIsPublicPrometheusIsNot() {
    assertThat(client(null, null).get().uri("/actuator/health").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(200);
    assertThat(client(null, null).get().uri("/actuator/prometheus").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(401);
    assertThat(client("agent", "agent").get().uri("/actuator/prometheus").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(403);
    String metrics = client("admin", "admin").get().uri("/actuator/prometheus").retrieve().body(String.class);
    assertThat(metrics).contains("jvm_memory_used_bytes");
  }

  @Test
  void openApiIsServed() {
    String docs = client(null, null).get().uri("/v3/api-docs").retrieve().body(String.class);
    assertThat(docs).contains("\"openapi\"");
    assertThat(client(null, null).get().uri("/swagger-ui/index.html").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(200);
  }

  @Test
  void homePagePointsToTheTools() {
    String home = client(null, null).get().uri("/").retrieve().body(String.class);
    assertThat(home).contains("/simulator", "/camunda/app/tasklist/", "/camunda/app/cockpit/", "/dashboard");
  }
}
