package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/** keyword-campaign: QUIZ asks a question and recommends a product from the quiz table. */
@JourneyTest
class KeywordCampaignJourneyTest extends JourneyTestSupport {

  @Test
  void quizRecommendsTheProductForTheAnswer() {
    ProcessInstance pi = start(JourneyMessages.KEYWORD_RECEIVED, newContact("k-"), Map.of("keyword", "QUIZ"));
    assertThat(pi).isWaitingAt("Gateway_WaitAnswer");
    assertThat(sent(pi).get(0)).containsEntry("category", "SERVICE").containsEntry("expectsReply", true);
    reply(pi, "3");
    assertThat(pi).hasPassed("Task_RecommendProduct", "Task_SendRecommendation", "End_Recommended").isEnded();
    assertThat((String) sent(pi).get(1).get("text")).contains("coffret Découverte");
  }

  @Test
  void anUnansweredQuizEndsAfterTheWait() {
    ProcessInstance pi = start(JourneyMessages.KEYWORD_RECEIVED, newContact("k-"), Map.of("keyword", "QUIZ"));
    advance("PT24H");
    assertThat(pi).hasPassed("End_QuizAbandoned").isEnded();
  }

  @Test
  void anUnknownKeywordGetsHelp() {
    ProcessInstance pi = start(JourneyMessages.KEYWORD_RECEIVED, newContact("k-"), Map.of("keyword", "NOEL"));
    assertThat(pi).hasPassed("Task_SendKeywordHelp", "End_UnknownKeyword").isEnded();
  }
}
