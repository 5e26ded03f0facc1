package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;

import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.Test;

/** nps-survey: the score is recorded (history), detractors handed off, promoters asked for a review. */
@JourneyTest
class NpsSurveyJourneyTest extends JourneyTestSupport {

  private ProcessInstance asked() {
    ProcessInstance pi = start(JourneyMessages.NPS_REQUESTED, newContact("n-"), Map.of("reviewUrl", "https://avis.fr/x"));
    assertThat(pi).isWaitingAt("Gateway_WaitScore");
    return pi;
  }

  @Test
  void aDetractorIsHandedToAnAgentAndTheScoreStaysInHistory() {
    ProcessInstance pi = asked();
    reply(pi, "4");
    agentResolves(pi);
    assertThat(pi).hasPassed("Task_RecordScore", "Task_HandOffDetractor", "End_Detractor").isEnded();
    assertThat(variable(pi, NpsRecorder.VAR_NPS_SCORE)).isEqualTo(4);
    assertThat(history.createHistoricVariableInstanceQuery().variableName("npsScore").variableValueEquals("npsScore", 4)
        .processInstanceId(pi.getId()).count()).isEqualTo(1);
  }

  @Test
  void aPromoterIsThankedAndAskedForAReview() {
    ProcessInstance pi = asked();
    reply(pi, "10");
    assertThat(pi).hasPassed("Task_ThankPromoter", "End_Promoter").isEnded();
    assertThat(sent(pi).get(1)).containsEntry("reviewUrl", "https://avis.fr/x");
    assertThat(variable(pi, NpsRecorder.VAR_NPS_CATEGORY)).isEqualTo("PROMOTER");
  }

  @Test
  void aPassiveIsThanked() {
    ProcessInstance pi = asked();
    reply(pi, "Je dirais 7 sur 10");
    assertThat(pi).hasPassed("Task_ThankPassive", "End_Passive").isEnded();
    assertThat(variable(pi, NpsRecorder.VAR_NPS_SCORE)).isEqualTo(7);
  }

  @Test
  void aReplyWithoutScoreAndNoReplyEndQuietly() {
    ProcessInstance pi = asked();
    reply(pi, "bof");
    assertThat(pi).hasPassed("End_NoScore").isEnded();
    ProcessInstance silent = asked();
    advance("P3D");
    assertThat(silent).hasPassed("End_NoAnswer").isEnded();
  }
}
