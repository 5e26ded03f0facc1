package io.relais.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.contact.Channel;
import io.relais.contact.ConsentEvent;
import io.relais.contact.ConsentLedger;
import io.relais.contact.ConsentMethod;
import io.relais.contact.ConsentStatus;
import io.relais.contact.ContactInput;
import io.relais.contact.ContactRegistry;
import io.relais.contact.LegalBasis;
import io.relais.contact.Purpose;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.CallActivity;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaIn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.web.client.RestClient;

/**
 * A/B tests through the real engine and send pipeline: the journey's send step (relais-send) asks
 * {@link Experiments} for the arm, so the winner, once declared with the minimum sample, takes the
 * traffic, and a held-out contact gets no message but counts as the holdout group.
 */
@RelaisSpringTest
class ExperimentJourneyTest {

  static final Instant MONDAY_MORNING = Instant.parse("2026-11-23T09:00:00Z"); // 10:00 Paris
  static final String STEP = "Call_Send";

  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired ManagementService management;
  @Autowired ContactRegistry contacts;
  @Autowired ConsentLedger ledger;
  @Autowired MessageLog messages;
  @Autowired EngagementEvents events;
  @Autowired MessageProjector projector;
  @Autowired Orders orders;
  @Autowired ObjectMapper json;
  @Autowired JdbcTemplate jdbc;
  @LocalServerPort int port;

  String journey;

  @BeforeEach
  void deployJourney() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_MORNING));
    journey = "ab-journey-" + UUID.randomUUID().toString().substring(0, 8);
    BpmnModelInstance model = Bpmn.createExecutableProcess(journey).camundaHistoryTimeToLive(1)
        .startEvent()
        .callActivity(STEP).calledElement("relais-send")
        .camundaOut("sendOutcome", "sendOutcome").camundaOut("sendVariant", "sendVariant").camundaOut("sendMessageId", "sendMessageId")
        .receiveTask("Wait_End")
        .endEvent()
        .done();
    CallActivity call = model.getModelElementById(STEP);
    CamundaIn all = model.newInstance(CamundaIn.class);
    all.setCamundaVariables("all");
    call.getExtensionElements().addChildElement(all);
    CamundaIn businessKey = model.newInstance(CamundaIn.class);
    businessKey.setCamundaBusinessKey("#{execution.processBusinessKey}");
    call.getExtensionElements().addChildElement(businessKey);
    repository.createDeployment().addModelInstance(journey + ".bpmn", model).deploy();
  }

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  /** A new contact with SMS marketing consent whose draw at this step is {@code arm}. */
  String contactDrawing(String arm, String arms) {
    for (int i = 0; ; i++) {
      String id = "ab-" + UUID.randomUUID();
      if (Experiments.pick(id, journey + ":" + STEP, Experiments.parse(arms)).equals(arm)) {
        contacts.save(new ContactInput(id, "+3361" + String.format("%07d", (long) (Math.random() * 10_000_000)), null, "Léa",
            null, null, null, null, null, null, null));
        ledger.append(ConsentEvent.of(id, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
            ConsentMethod.CHECKBOX, "test", "checkbox-v1").withWording("J'accepte de recevoir les offres par SMS", "v1"));
        return id;
      }
    }
  }

  ProcessInstance run(String contactId, String variants, boolean winnerTakesAll) {
    ProcessInstance pi = runtime.createProcessInstanceByKey(journey).businessKey(contactId)
        .setVariable("contactId", contactId).setVariable("channel", "SMS").setVariable("category", "MARKETING")
        .setVariable("variants", variants).setVariable("winnerTakesAll", winnerTakesAll).execute();
    Jobs.runDue(management);
    return pi;
  }

  /** Deliveries and clicks of one arm, as the projector and the link tracker would record them. */
  void evidence(String variant, int delivered, int clickers) {
    for (int i = 0; i < delivered; i++) {
      String contact = "ev-" + UUID.randomUUID();
      String message = "ev-" + UUID.randomUUID();
      events.record(EngagementEvent.of(EngagementType.DELIVERED, contact).journey(journey, 1, STEP)
          .channel(Channel.SMS).variant(variant).message(message));
      if (i < clickers) {
        events.record(EngagementEvent.of(EngagementType.CLICKED, contact).journey(journey, 1, STEP)
            .channel(Channel.SMS).variant(variant).message(message));
      }
    }
  }

  void later(Duration d) {
    ClockUtil.setCurrentTime(Date.from(ClockUtil.now().toInstant().plus(d)));
  }

  MessageRecord onlyMessage(String contactId) {
    List<MessageRecord> transcript = messages.transcript(contactId);
    assertThat(transcript).hasSize(1);
    return transcript.get(0);
  }

  @Test
  void theWinnerTakesAllOnlyOnceDeclaredWithTheMinimumSample() {
    String arms = "[{\"name\":\"A\",\"weight\":50,\"text\":\"Texte A\"},{\"name\":\"B\",\"weight\":50,\"text\":\"Texte B\"}]";
    String first = contactDrawing("A", "A:50,B:50");
    ProcessInstance before = run(first, arms, true);
    assertThat(runtime.getVariable(before.getId(), "sendVariant")).isEqualTo("A");
    assertThat(onlyMessage(first).variant()).isEqualTo("A");
    assertThat(onlyMessage(first).body()).startsWith("Texte A");

    // B is far better, but with 60 deliveries per arm (minimum 100) there is no winner yet.
    evidence("A", 60, 10);
    evidence("B", 60, 30);
    later(Duration.ofMinutes(2)); // past the one-minute winner cache
    String second = contactDrawing("A", "A:50,B:50");
    run(second, arms, true);
    assertThat(onlyMessage(second).variant()).isEqualTo("A");

    // 100 per arm, 20 % against 45 %: B is declared and takes every contact, also those drawn into A.
    evidence("A", 40, 10);
    evidence("B", 40, 15);
    later(Duration.ofMinutes(2));
    String third = contactDrawing("A", "A:50,B:50");
    ProcessInstance after = run(third, arms, true);
    assertThat(runtime.getVariable(after.getId(), "sendOutcome")).isEqualTo("SENT");
    assertThat(runtime.getVariable(after.getId(), "sendVariant")).isEqualTo("B");
    MessageRecord sent = onlyMessage(third);
    assertThat(sent.variant()).isEqualTo("B"); // what the results will count
    assertThat(sent.body()).startsWith("Texte B");
    // Without winner-takes-all for the step, the draw stands.
    String fourth = contactDrawing("A", "A:50,B:50");
    run(fourth, arms, false);
    assertThat(onlyMessage(fourth).variant()).isEqualTo("A");
  }

  @Test
  void aHeldOutContactGetsNoMessageAndIsTheBaselineOfTheIncrementalEffect() throws Exception {
    String arms = "[{\"name\":\"A\",\"weight\":50,\"text\":\"Texte A\"},{\"name\":\"HOLDOUT\",\"weight\":50}]";
    List<String> treated = List.of(contactDrawing("A", "A:50,HOLDOUT:50"), contactDrawing("A", "A:50,HOLDOUT:50"));
    List<String> held = List.of(contactDrawing("HOLDOUT", "A:50,HOLDOUT:50"), contactDrawing("HOLDOUT", "A:50,HOLDOUT:50"));
    for (String c : treated) {
      run(c, arms, false);
      assertThat(onlyMessage(c).status()).isEqualTo("DELIVERED");
      assertThat(onlyMessage(c).variant()).isEqualTo("A");
    }
    for (String c : held) {
      ProcessInstance pi = run(c, arms, false);
      assertThat(messages.transcript(c)).isEmpty();
      assertThat(runtime.getVariable(pi.getId(), "sendOutcome")).isEqualTo("HELD_OUT");
      assertThat(runtime.getVariable(pi.getId(), "sendVariant")).isEqualTo(Experiments.HOLDOUT);
    }
    projector.rewind();
    MessageProjectorTest.catchUp(jdbc, projector);
    // Both treated contacts order within the day, one held-out contact does too.
    later(Duration.ofHours(2));
    orders.place(new Orders.OrderRequest("ab-o1-" + journey, treated.get(0), 40, "EUR", null, null));
    orders.place(new Orders.OrderRequest("ab-o2-" + journey, treated.get(1), 60, "EUR", null, null));
    orders.place(new Orders.OrderRequest("ab-o3-" + journey, held.get(0), 50, "EUR", null, null));

    RestClient client = RestClient.builder().baseUrl("http://localhost:" + port)
        .defaultHeaders(h -> h.setBasicAuth("marketer", "marketer")).build();
    JsonNode kpis = json.readTree(client.get().uri("/api/kpis?journey={j}&groupBy=variant", journey).retrieve().body(String.class));
    assertThat(kpis.at("/rows")).hasSize(2);
    JsonNode a = kpis.at("/rows/0");
    JsonNode holdout = kpis.at("/rows/1");
    assertThat(a.get("variant").asText()).isEqualTo("A");
    assertThat(a.get("delivered").asLong()).isEqualTo(2);
    assertThat(a.get("orders").asLong()).isEqualTo(2);
    assertThat(holdout.get("variant").asText()).isEqualTo(Experiments.HOLDOUT);
    assertThat(holdout.get("heldOut").asLong()).isEqualTo(2);
    assertThat(holdout.get("sent").asLong()).isZero();
    assertThat(holdout.get("delivered").asLong()).isZero();

    JsonNode experiments = json.readTree(
        client.get().uri("/api/experiments?journey={j}&metric=order", journey).retrieve().body(String.class));
    assertThat(experiments).hasSize(1);
    JsonNode effect = experiments.at("/0/holdout");
    assertThat(effect.get("heldOut").asLong()).isEqualTo(2);
    assertThat(effect.get("heldOutConverted").asLong()).isEqualTo(1);
    assertThat(effect.get("treated").asLong()).isEqualTo(2);
    assertThat(effect.get("treatedConverted").asLong()).isEqualTo(2);
    assertThat(effect.get("incrementalEffect").asDouble()).isCloseTo(0.5, within(1e-9)); // 2/2 − 1/2
  }
}
