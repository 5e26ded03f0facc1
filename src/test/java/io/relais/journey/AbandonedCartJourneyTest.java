package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/** abandoned-cart, path by path: email, SMS, reply branches, an order at any point, opt-out. */
@JourneyTest
class AbandonedCartJourneyTest extends JourneyTestSupport {

  private static final Map<String, Object> CART = Map.of("cartUrl", "https://maboutique.fr/panier/42", "guideUrl", "https://maboutique.fr/guide");

  private ProcessInstance abandon(String contact) {
    ProcessInstance pi = start(JourneyMessages.CART_ABANDONED, contact, CART);
    assertThat(pi).isWaitingAt("Gateway_EmailEngagement");
    List<Map<String, Object>> sent = sent(pi);
    assertThat(sent).hasSize(1);
    assertThat(sent.get(0)).containsEntry("channel", "EMAIL").containsEntry("category", "MARKETING")
        .containsEntry("subject", "Votre panier vous attend").containsEntry("cartUrl", "https://maboutique.fr/panier/42");
    return pi;
  }

  @Test
  void openedEmailSendsNoSmsAndTheJourneyEndsWithoutOrderAfterTheOrderWait() {
    ProcessInstance pi = abandon(newContact("c-"));
    event(pi, JourneyMessages.EMAIL_OPENED, Map.of());
    advance("PT25H");
    assertThat(sent(pi)).hasSize(1);
    assertThat(pi).isWaitingAt("Timer_OrderWait");
    advance("P7D");
    assertThat(pi).hasPassed("Event_EmailOpened", "Timer_OrderWait", "End_NoOrder").isEnded();
  }

  @Test
  void clickThenOrderEndsTheJourneyAndWhatsAppOptInGetsAWhatsAppFollowUp() {
    String contact = newContact("wa-");
    grantMarketing(contact, "WHATSAPP");
    ProcessInstance pi = abandon(contact);
    runtime.setVariable(pi.getId(), "followUpContentSid", "HX0123456789abcdef0123456789abcdef");
    event(pi, JourneyMessages.LINK_CLICKED, Map.of());
    event(pi, JourneyMessages.ORDER_PLACED, Map.of());
    assertThat(pi).isWaitingAt("Timer_FollowUpDelay");
    advance("PT24H");
    assertThat(pi).hasPassed("Event_LinkClicked", "Task_CheckWhatsAppConsent", "Task_SendWhatsAppFollowUp", "End_OrderFollowedUp")
        .hasNotPassed("End_NoOrder").isEnded();
    assertThat(sent(pi).get(1)).containsEntry("channel", "WHATSAPP").containsEntry("category", "MARKETING");
    assertThat(variable(pi, "whatsappConsent")).isEqualTo(true);
  }

  @Test
  void notOpenedGetsTheSmsAfterTheConfiguredWaitAndAnAgentWhenAskedThenSmsFollowUpWithoutWhatsAppConsent() {
    ProcessInstance pi = abandon(newContact("c-"));
    advance("PT23H");
    assertThat(sent(pi)).hasSize(1);
    advance("PT1H");
    assertThat(pi).isWaitingAt("Gateway_WaitReply");
    assertThat(sent(pi).get(1)).containsEntry("channel", "SMS").containsEntry("expectsReply", true);
    assertThat((String) sent(pi).get(1).get("text")).contains("Répondez à ce SMS");
    // the history level Relais runs (relais-audit): the wait is told by the timer that ended it
    assertThat(history.createHistoricActivityInstanceQuery().processInstanceId(pi.getId()).activityType("eventBasedGateway").count())
        .as("event-based gateways in the journey's history").isZero();
    assertThat(pi).hasPassed("Task_SendCartEmail", "Timer_CartEmailWait", "Task_SendCartSms");

    reply(pi, "Je voudrais parler à un conseiller");
    agentResolves(pi);
    assertThat(pi).hasPassed("Task_ClassifyReply", "Task_HandOff").isWaitingAt("Timer_OrderWait");
    assertThat(handoffs(pi)).singleElement().satisfies(h -> assertThat((String) h.get("handoffReason")).contains("conseiller"));

    event(pi, JourneyMessages.ORDER_PLACED, Map.of());
    advance("PT24H");
    assertThat(pi).hasPassed("Task_SendSmsFollowUp").hasNotPassed("Task_SendWhatsAppFollowUp").isEnded();
    assertThat(sent(pi).get(2)).containsEntry("channel", "SMS");
  }

  @Test
  void aQuestionGetsProductGuidanceAndAnOptOutStopsEverything() {
    ProcessInstance pi = abandon(newContact("c-"));
    advance("PT24H");
    reply(pi, "J'hésite entre deux produits, lequel est le plus solide ?");
    assertThat(pi).hasPassed("Task_SendProductGuidance").isWaitingAt("Timer_OrderWait");
    assertThat(sent(pi).get(2)).containsEntry("category", "SERVICE").containsEntry("guideUrl", "https://maboutique.fr/guide");

    event(pi, JourneyMessages.OPTED_OUT, Map.of());
    assertThat(pi).hasPassed("End_OptedOut").isEnded();
    assertThat(sent(pi)).hasSize(3);
  }

  @Test
  void anyOtherReplyGetsTheBotAnswer() {
    ProcessInstance pi = abandon(newContact("c-"));
    advance("PT24H");
    reply(pi, "ok merci");
    assertThat(pi).hasPassed("Task_SendBotAnswer").isWaitingAt("Timer_OrderWait");
    assertThat((String) sent(pi).get(2).get("text")).startsWith("Merci pour votre réponse");
  }

  @Test
  void noReplyWaitsForAnOrderAndStartVariablesOverrideTheWaits() {
    String contact = newContact("c-");
    ProcessInstance pi = start(JourneyMessages.CART_ABANDONED, contact, Map.of("cartUrl", "https://x.fr/p", "cartEmailWait", "PT2H", "replyWait", "PT1H"));
    advance("PT2H");
    assertThat(sent(pi)).hasSize(2);
    advance("PT1H");
    assertThat(pi).hasPassed("Timer_ReplyWait").isWaitingAt("Timer_OrderWait");
  }
}
