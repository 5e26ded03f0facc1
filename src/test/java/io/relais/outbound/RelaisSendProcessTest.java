package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

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
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * relais-send inside the whole application (simulator, real contact beans): a journey's promo
 * waits out quiet hours on a timer, goes at the opening, is recorded against the calling journey,
 * and its tracked link redirects and continues the journey; a broken template ends in an incident.
 */
@RelaisSpringTest
class RelaisSendProcessTest {

  static final Instant SATURDAY_EVENING = Instant.parse("2026-07-11T18:30:00Z"); // 20:30 Paris
  static final Instant MONDAY_OPENING = Instant.parse("2026-07-13T06:00:00Z"); // 08:00 Paris

  @Autowired ProcessEngine engine;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired ManagementService management;
  @Autowired ContactRegistry contacts;
  @Autowired ConsentLedger ledger;
  @Autowired MessageLog messages;
  @LocalServerPort int port;

  String contactId;

  @BeforeEach
  void setUp() {
    AbstractAssertions.init(engine);
    if (repository.createProcessDefinitionQuery().processDefinitionKey("outbound-test-journey").count() == 0) {
      repository.createDeployment().addClasspathResource("bpmn/outbound-test-journey.bpmn").deploy();
    }
    ClockUtil.setCurrentTime(Date.from(SATURDAY_EVENING));
    contactId = "out-" + UUID.randomUUID();
    String phone = "+3361" + String.format("%07d", (long) (Math.random() * 10_000_000));
    contacts.save(new ContactInput(contactId, phone, null, "Chloé", null, null, null, null, null, null, null));
    ledger.append(ConsentEvent.of(contactId, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, LegalBasis.CONSENT,
        ConsentMethod.CHECKBOX, "test", "checkbox-v1").withWording("J'accepte de recevoir les offres par SMS", "v1"));
  }

  @AfterEach
  void resetClock() {
    ClockUtil.reset();
  }

  @Test
  void aPromoInQuietHoursWaitsOnATimerThenGoesAndItsLinkContinuesTheJourney() throws Exception {
    ProcessInstance journey = runtime.startProcessInstanceByKey("outbound-test-journey", contactId);
    Jobs.runDue(management);
    ProcessInstance send = runtime.createProcessInstanceQuery().superProcessInstanceId(journey.getId()).singleResult();
    assertThat(send).isWaitingAt("Timer_NotBefore");
    Job timer = management.createJobQuery().processInstanceId(send.getId()).timers().singleResult();
    assertThat(timer.getDuedate().toInstant()).isEqualTo(MONDAY_OPENING);
    assertThat(messages.transcript(contactId)).singleElement().satisfies(m -> {
      assertThat(m.status()).isEqualTo("DEFERRED");
      assertThat(m.reason()).isEqualTo("QUIET_HOURS");
    });

    ClockUtil.setCurrentTime(Date.from(MONDAY_OPENING));
    Jobs.runDue(management);
    assertThat(journey).isWaitingAt("Event_LinkClicked").variables().containsEntry("sendOutcome", "SENT");
    List<MessageRecord> transcript = messages.transcript(contactId);
    assertThat(transcript).hasSize(2);
    MessageRecord sent = transcript.get(1);
    assertThat(sent.status()).isEqualTo("DELIVERED");
    assertThat(sent.provider()).isEqualTo("SIMULATOR");
    assertThat(sent.processInstanceId()).isEqualTo(journey.getId());
    assertThat(sent.journeyKey()).isEqualTo("outbound-test-journey");
    assertThat(sent.stepId()).isEqualTo("Call_SendPromo");
    assertThat(sent.body()).matches("Bonjour Chloé, -20% sur http://localhost:\\d+/r/[A-Za-z0-9]{8} STOP au 36180");

    String path = sent.body().replaceAll(".*(/r/[A-Za-z0-9]{8}).*", "$1");
    HttpURLConnection click = (HttpURLConnection) URI.create("http://localhost:" + port + path).toURL().openConnection();
    click.setInstanceFollowRedirects(false);
    assertThat(click.getResponseCode()).isEqualTo(HttpStatus.FOUND.value());
    assertThat(click.getHeaderField("Location"))
        .isEqualTo("https://shop.example.fr/promo?utm_source=relais&utm_medium=sms&utm_campaign=outbound-test-journey");
    assertThat(journey).isEnded();
  }

  @Test
  void aTemplateWithAMissingVariableEndsInAnIncidentAfterTheRetriesWithBackoff() {
    ClockUtil.setCurrentTime(Date.from(MONDAY_OPENING));
    ProcessInstance send = runtime.createProcessInstanceByKey("relais-send").businessKey(contactId)
        .setVariable("contactId", contactId).setVariable("channel", "SMS").setVariable("category", "TRANSACTIONAL")
        .setVariable("text", "Votre commande {{orderId}} est prête").execute();
    // relais.send.retry-cycle's default: one retry after each of these waits, then an incident
    List<Duration> waits = new java.util.ArrayList<>();
    for (int attempt = 0; attempt < 10 && runtime.createIncidentQuery().processInstanceId(send.getId()).count() == 0; attempt++) {
      Instant failedAt = ClockUtil.now().toInstant();
      Jobs.runDue(management, send.getId());
      var job = management.createJobQuery().processInstanceId(send.getId()).singleResult();
      if (job.getRetries() > 0) {
        waits.add(Duration.between(failedAt, job.getDuedate().toInstant()));
        ClockUtil.setCurrentTime(job.getDuedate());
      }
    }
    assertThat(waits).containsExactly(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2),
        Duration.ofMinutes(5), Duration.ofMinutes(10));
    assertThat(runtime.createIncidentQuery().processInstanceId(send.getId()).singleResult().getIncidentMessage())
        .contains("MISSING_VARIABLE").contains("{{orderId}}");
    assertThat(messages.transcript(contactId)).singleElement().satisfies(m -> assertThat(m.status()).isEqualTo("FAILED"));
  }
}
