package io.relais.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

/** Bad input gets one error format: 400 problem details that name the field. */
@RelaisSpringTest
class ApiErrorsTest {

  @LocalServerPort int port;

  @Test
  void aBodyWithAWrongTypeNamesTheField() {
    var response = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {})
        .build().post().uri("/api/orders")
        .headers(h -> h.setBasicAuth("integration", "integration"))
        .contentType(MediaType.APPLICATION_JSON)
        .body("{\"orderId\":\"o-1\",\"contactId\":\"c-1\",\"amount\":{\"not\":\"a number\"}}")
        .retrieve().toEntity(String.class);
    assertThat(response.getStatusCode().value()).isEqualTo(400);
    assertThat(response.getHeaders().getContentType().toString()).contains("problem+json");
    assertThat(response.getBody()).contains("amount");
  }

  @Test
  void malformedJsonIsA400ProblemNotA500() {
    var response = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultStatusHandler(HttpStatusCode::isError, (req, res) -> {})
        .build().put().uri("/api/contacts/c-malformed")
        .headers(h -> h.setBasicAuth("integration", "integration"))
        .contentType(MediaType.APPLICATION_JSON)
        .body("{\"phone\": ")
        .retrieve().toEntity(String.class);
    assertThat(response.getStatusCode().value()).isEqualTo(400);
    assertThat(response.getBody()).contains("Malformed request body");
  }
}
