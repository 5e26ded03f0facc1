package io.relais.journey;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/** inbound-conversation: FAQ answer, order status, handoff on escalation or an unknown question. */
@JourneyTest
class InboundConversationJourneyTest extends OrderSystemJourneyTestSupport {

  private ProcessInstance customerWrites(String text) {
    return start(JourneyMessages.CONVERSATION_STARTED, newContact("p-"),
        Map.of(JourneyMessages.VAR_REPLY_TEXT, text, JourneyMessages.VAR_REPLY_CHANNEL, "SMS"));
  }

  @Test
  void aQuestionTheFaqKnowsIsAnsweredInTheCustomersChannelAsService() {
    ProcessInstance pi = customerWrites("Bonjour, est-ce que le PAIEMENT en plusieurs fois est possible ?");
    assertThat(pi).hasPassed("Task_FindFaqAnswer", "Task_SendFaqAnswer", "End_FaqAnswered").isEnded();
    assertThat(sent(pi)).singleElement().satisfies(m -> {
      assertThat(m).containsEntry("channel", "SMS").containsEntry("category", "SERVICE");
      assertThat((String) m.get("text")).contains("paiement en 3 fois");
    });
  }

  @Test
  void anOrderStatusQuestionIsAnsweredFromTheOrderSystem() {
    String unknown = newContact("p-");
    String known = newContact("p-");
    orderSystem.stubFor(get(urlEqualTo("/customers/" + unknown + "/orders/latest/status")).willReturn(aResponse().withStatus(404)));
    ProcessInstance pi = start(JourneyMessages.CONVERSATION_STARTED, unknown,
        Map.of(JourneyMessages.VAR_REPLY_TEXT, "où en est ma commande ?"));
    orderSystem.stubFor(get(urlEqualTo("/customers/" + known + "/orders/latest/status"))
        .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody("{\"text\":\"Votre commande CMD-7 est expédiée.\"}")));
    ProcessInstance second = start(JourneyMessages.CONVERSATION_STARTED, known,
        Map.of(JourneyMessages.VAR_REPLY_TEXT, "Où en est ma commande ?"));
    assertThat(pi).hasPassed("Task_LookUpOrderStatus", "Task_SendOrderStatus", "End_OrderStatusAnswered").isEnded();
    assertThat((String) sent(pi).get(0).get("text")).isEqualTo(OrderStatusLookup.UNAVAILABLE);
    assertThat(sent(second).get(0)).containsEntry("text", "Votre commande CMD-7 est expédiée.").containsEntry("channel", "SMS");
  }

  @Test
  void anUnhappyCustomerIsHandedOff() {
    ProcessInstance pi = customerWrites("Je veux parler à un conseiller");
    agentResolves(pi);
    assertThat(pi).hasPassed("Task_HandOff", "End_HandedOff").hasNotPassed("Task_FindFaqAnswer").isEnded();
  }

  @Test
  void aQuestionTheFaqDoesNotKnowIsHandedOff() {
    ProcessInstance pi = customerWrites("Ce modèle existe-t-il en bleu canard ?");
    agentResolves(pi);
    assertThat(pi).hasPassed("Task_FindFaqAnswer", "Task_HandOff").hasNotPassed("Task_SendFaqAnswer").isEnded();
    assertThat(variable(pi, "faqAnswer")).isNull();
  }
}
