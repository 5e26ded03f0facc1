package io.relais.journey;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import io.relais.support.Jobs;
import java.util.Map;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/** delivery-tracking: tracking SMS, address change confirmed and forwarded (WireMock order system), retries then incident. */
@JourneyTest
class DeliveryTrackingJourneyTest extends OrderSystemJourneyTestSupport {

  private ProcessInstance shipped() {
    ProcessInstance pi = start(JourneyMessages.ORDER_SHIPPED, newContact("d-"), Map.of("orderId", "CMD-1042", "trackingUrl", "https://suivi.fr/1042"));
    assertThat(pi).isWaitingAt("Gateway_WaitReply");
    assertThat(sent(pi).get(0)).containsEntry("channel", "SMS").containsEntry("category", "TRANSACTIONAL").containsEntry("orderId", "CMD-1042");
    return pi;
  }

  @Test
  void addressChangeIsConfirmedAtOnceAndTheOrderSystemIsTold() {
    orderSystem.stubFor(post(urlEqualTo("/orders/CMD-1042/delivery-address")).willReturn(aResponse().withStatus(204)));
    ProcessInstance pi = shipped();
    reply(pi, "Je serai absent, livrez plutôt au 12 rue des Lilas 69003 Lyon merci");
    assertThat(pi).hasPassed("Task_ExtractAddress", "Task_ConfirmAddress", "Task_NotifyOrderSystem", "End_AddressChanged").isEnded();
    assertThat((String) sent(pi).get(1).get("text")).contains("{{newAddress}}");
    assertThat(sent(pi).get(1)).containsEntry("newAddress", "12 rue des Lilas, 69003 Lyon");
    orderSystem.verify(postRequestedFor(urlEqualTo("/orders/CMD-1042/delivery-address"))
        .withRequestBody(equalToJson("{\"orderId\":\"CMD-1042\",\"contactId\":\"" + pi.getBusinessKey() + "\",\"address\":\"12 rue des Lilas, 69003 Lyon\"}")));
  }

  @Test
  void anOrderSystemThatKeepsFailingIsRetriedThreeTimesThenBecomesAnIncidentAfterTheConfirmation() {
    orderSystem.stubFor(post(urlEqualTo("/orders/CMD-1042/delivery-address")).willReturn(aResponse().withStatus(503)));
    ProcessInstance pi = shipped();
    reply(pi, "absent, nouvelle adresse : 3 bis avenue Jean Jaurès 75019 Paris");
    assertThat(sent(pi)).hasSize(2);
    for (int i = 0; i < 3; i++) {
      advance("PT1M");
    }
    Job job = management.createJobQuery().processInstanceId(pi.getId()).singleResult();
    assertThat(job.getRetries()).isZero();
    assertThat(runtime.createIncidentQuery().processInstanceId(pi.getId()).activityId("Task_NotifyOrderSystem").count()).isEqualTo(1);
    assertThat(orderSystem.getAllServeEvents()).hasSize(3);

    orderSystem.stubFor(post(urlEqualTo("/orders/CMD-1042/delivery-address")).willReturn(aResponse().withStatus(200)));
    management.setJobRetries(job.getId(), 1);
    Jobs.runDue(management);
    assertThat(pi).isEnded();
  }

  @Test
  void aReplyWithoutAnAddressGoesToAnAgent() {
    ProcessInstance pi = shipped();
    reply(pi, "Je serai absent cette semaine");
    agentResolves(pi);
    assertThat(pi).hasPassed("Gateway_AddressFound", "Task_HandOff", "End_HandedOff").hasNotPassed("Task_ConfirmAddress").isEnded();
  }

  @Test
  void anotherRequestGoesToAnAgent() {
    ProcessInstance pi = shipped();
    reply(pi, "C'est une arnaque");
    agentResolves(pi);
    assertThat(pi).hasPassed("Task_HandOff").hasNotPassed("Task_ExtractAddress").isEnded();
    assertThat(handoffs(pi)).hasSize(1);
  }

  @Test
  void noReplyEndsQuietlyAfterTheReplyWait() {
    ProcessInstance pi = shipped();
    advance("P3D");
    assertThat(pi).hasPassed("End_NoReply").isEnded();
  }
}
