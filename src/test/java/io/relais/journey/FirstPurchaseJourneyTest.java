package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/** first-purchase: tips and the question, then tutorial, after-sales or cross-sell; one reminder. */
@JourneyTest
class FirstPurchaseJourneyTest extends JourneyTestSupport {

  private ProcessInstance bought() {
    ProcessInstance pi = start(JourneyMessages.FIRST_PURCHASE, newContact("f-"),
        Map.of("productName", "Blender X2", "tipsUrl", "https://x.fr/tips", "tutorialUrl", "https://x.fr/tuto", "crossSellUrl", "https://x.fr/acc"));
    assertThat(pi).isWaitingAt("Gateway_WaitReply");
    assertThat((String) sent(pi).get(0).get("text")).contains("Vous avez besoin d'aide pour l'utiliser ?");
    return pi;
  }

  @Test
  void yesGetsTheTutorial() {
    ProcessInstance pi = bought();
    reply(pi, "Oui volontiers");
    assertThat(pi).hasPassed("Task_SendTutorial", "End_TutorialSent").isEnded();
    assertThat(sent(pi).get(1)).containsEntry("tutorialUrl", "https://x.fr/tuto").containsEntry("category", "SERVICE");
  }

  @Test
  void aProblemGoesToAfterSales() {
    ProcessInstance pi = bought();
    reply(pi, "Il ne marche pas, je veux un retour");
    agentResolves(pi);
    assertThat(pi).hasPassed("Task_HandOffAfterSales", "End_AfterSales").isEnded();
    assertThat(handoffs(pi)).singleElement().satisfies(h -> assertThat(h).containsEntry("handoffQueue", "aftersales"));
  }

  @Test
  void noReplyGetsOneReminderThenACrossSellWhenNoHelpIsNeeded() {
    ProcessInstance pi = bought();
    advance("P3D");
    assertThat(pi).hasPassed("Task_SendReminder").isWaitingAt("Gateway_WaitReminderReply");
    reply(pi, "Non merci tout va bien");
    assertThat(pi).hasPassed("Event_ReminderReply", "Task_SendCrossSell", "End_CrossSellSent").isEnded();
    assertThat(sent(pi)).hasSize(3);
  }

  @Test
  void noReplyEvenToTheReminderEndsAfterOneReminder() {
    ProcessInstance pi = bought();
    advance("P3D");
    advance("P3D");
    assertThat(pi).hasPassed("End_NoReply").isEnded();
    assertThat(sent(pi)).hasSize(2);
  }
}
