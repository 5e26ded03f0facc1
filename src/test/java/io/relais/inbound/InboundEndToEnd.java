package io.relais.inbound;

import static io.relais.inbound.InboundTestSupport.BRAND_NUMBER;
import static io.relais.inbound.InboundTestSupport.TOKEN;
import static io.relais.inbound.InboundTestSupport.assertTwiml;
import static io.relais.inbound.InboundTestSupport.encode;
import static io.relais.inbound.InboundTestSupport.form;
import static io.relais.inbound.InboundTestSupport.freshPhone;
import static io.relais.inbound.InboundTestSupport.journeyWrote;
import static io.relais.inbound.InboundTestSupport.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.relais.contact.Channel;
import io.relais.contact.ConsentLedger;
import io.relais.contact.ContactDirectory;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import io.relais.support.Await;
import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.camunda.bpm.engine.history.HistoricVariableInstance;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the inbound end-to-end tests share: the whole application (one Spring context for all of
 * them), signed webhook posts, test journeys, waiting for the processing of a contact's messages.
 */
@RelaisSpringTest
abstract class InboundEndToEnd {

  @LocalServerPort int port;
  @Autowired TwilioSignature signature;
  @Autowired InboundProcessor processor;
  @Autowired InboundIntake intake;
  @Autowired InboundQueue queue;
  @Autowired MessageLog messageLog;
  @Autowired WhatsAppSessions whatsAppSessions;
  @Autowired RuntimeService runtimeService;
  @Autowired RepositoryService repositoryService;
  @Autowired HistoryService historyService;
  @Autowired ManagementService managementService;
  @Autowired JdbcTemplate jdbc;
  @Autowired ContactDirectory contacts;
  @Autowired ConsentLedger consent;

  @BeforeEach
  void setUp() {
    InboundTestSupport.deployTestJourneys(repositoryService);
    signature.useAuthToken(TOKEN);
  }

  @AfterEach
  void tearDown() {
    signature.useAuthToken("");
    intake.useKnownSenders(null);
    ClockUtil.reset();
  }

  // ---- helpers --------------------------------------------------------------------------------

  HttpResponse<String> postSigned(Map<String, String> form) {
    String url = signature.publicBaseUrl() + TwilioMessageWebhook.PATH;
    return InboundTestSupport.post(port, TwilioMessageWebhook.PATH, encode(form), sign(url, form, TOKEN));
  }

  String waitingJourney(String contactId, boolean reachWait) {
    String pid = runtimeService.startProcessInstanceByKey("inbound-test-waiting-journey", contactId).getId();
    if (reachWait) {
      Jobs.runDue(managementService, pid);
    }
    return pid;
  }

  /**
   * Drains the contact, then checks the condition, until it holds (the webhook's worker or the
   * sweeper may hold a message meanwhile), 15 s at most.
   */
  void awaitDrained(String contactId, String what, java.util.function.BooleanSupplier condition) {
    long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      processor.drain(contactId);
      if (condition.getAsBoolean()) {
        return;
      }
      if (System.nanoTime() > end) {
        fail("Inbound messages of " + contactId + ": " + what + " not reached; queue "
            + jdbc.queryForList("select stage, attempts, last_error, parked_at from inbound_queue where contact_id = ?", contactId));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("Interrupted while waiting for the inbound messages of " + contactId + ": " + what);
      }
    }
  }

  /**
   * Drains the contact, then waits until the worker the webhook started for it has finished too:
   * a test that then moves the engine clock must not have that worker read the new time halfway
   * through an attempt (a reply kept at the old time and postponed from the new one would never
   * fall due again under a clock that stands still).
   */
  void drainWithTheWebhooksWorker(String contactId) {
    processor.drain(contactId);
    Await.until("the inbound worker of " + contactId + " to finish", Duration.ofSeconds(15), () -> !processor.dispatching(contactId));
  }

  void awaitProcessed(String contactId) {
    awaitUnfinished(contactId, 0);
  }

  void awaitUnfinished(String contactId, int left) {
    awaitDrained(contactId, left + " message(s) left unprocessed", () -> processor.unfinished(contactId) == left);
  }

  List<HistoricProcessInstance> startedBy(String message, String contactId) {
    var definitions = repositoryService.createProcessDefinitionQuery().messageEventSubscriptionName(message).list();
    return historyService.createHistoricProcessInstanceQuery().processInstanceBusinessKey(contactId).list().stream()
        .filter(p -> definitions.stream().anyMatch(d -> d.getKey().equals(p.getProcessDefinitionKey())))
        .toList();
  }

  Object variable(String pid, String name) {
    HistoricVariableInstance v = historyService.createHistoricVariableInstanceQuery().processInstanceId(pid).variableName(name).singleResult();
    return v == null ? null : v.getValue();
  }

  static boolean isOut(MessageRecord m) {
    return m.direction() == Direction.OUT;
  }
}
