package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.contact.Channel;
import io.relais.support.RelaisSpringTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

/** Per-variant results of a step, the z-test, the declared winner and the holdout, through the API. */
@RelaisSpringTest
class ExperimentResultsTest {

  @Autowired EngagementEvents events;
  @Autowired Experiments experiments;
  @Autowired JdbcTemplate jdbc;
  @Autowired ObjectMapper json;
  @LocalServerPort int port;

  void arm(String journey, String variant, int delivered, int clickers) {
    for (int i = 0; i < delivered; i++) {
      String contact = "c-" + UUID.randomUUID();
      String message = UUID.randomUUID().toString();
      events.record(EngagementEvent.of(EngagementType.DELIVERED, contact).journey(journey, 1, "Task_SendSms")
          .channel(Channel.SMS).variant(variant).message(message));
      if (i < clickers) {
        events.record(EngagementEvent.of(EngagementType.CLICKED, contact).journey(journey, 1, "Task_SendSms")
            .channel(Channel.SMS).variant(variant).message(message));
      }
    }
  }

  @Test
  void aSignificantlyBetterVariantIsDeclaredTheWinner() throws Exception {
    String journey = "ab-" + UUID.randomUUID().toString().substring(0, 8);
    arm(journey, "A", 100, 20);
    arm(journey, "B", 100, 45);
    RestClient client = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeaders(h -> h.setBasicAuth("marketer", "marketer")).build();
    JsonNode list = json.readTree(client.get().uri("/api/experiments?journey={j}", journey).retrieve().body(String.class));

    assertThat(list).hasSize(1);
    JsonNode e = list.get(0);
    assertThat(e.get("step").asText()).isEqualTo("Task_SendSms");
    assertThat(e.get("minSampleReached").asBoolean()).isTrue();
    assertThat(e.get("winner").asText()).isEqualTo("B");
    JsonNode test = e.at("/comparisons/0/test");
    // pooled 0.325, SE = sqrt(0.325 × 0.675 × 0.02) = 0.06624, z = 0.25 / 0.06624 = 3.774, p = 0.00016.
    assertThat(test.get("z").asDouble()).isCloseTo(3.774, within(0.001));
    assertThat(test.get("pValue").asDouble()).isCloseTo(0.00016, within(0.00002));
    assertThat(e.at("/comparisons/0/control").asText()).isEqualTo("A");
  }

  @Test
  void theHoldoutIsRecordedOnceAndReEntryKeepsTheVariant() {
    String stepKey = "ab-" + UUID.randomUUID().toString().substring(0, 8) + ":Task_SendSms";
    String held = null;
    for (int i = 0; held == null && i < 1000; i++) {
      String contact = "c-" + UUID.randomUUID();
      if (Experiments.HOLDOUT.equals(experiments.assign(contact, stepKey, "A:45,B:45,HOLDOUT:10"))) {
        held = contact;
      }
    }
    assertThat(held).isNotNull();
    assertThat(experiments.assign(held, stepKey, "A:45,B:45,HOLDOUT:10")).isEqualTo(Experiments.HOLDOUT);
    assertThat(jdbc.queryForObject("select count(*) from engagement_event where contact_id = ? and event_type = 'HELD_OUT'",
        Integer.class, held)).isEqualTo(1);
  }
}
