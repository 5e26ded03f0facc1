package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.journey.JourneyMessages;
import io.relais.support.RelaisSpringTest;
import java.util.Map;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A provider's "opened" or "clicked" reaches the journey that sent, and only that journey. */
@RelaisSpringTest
class JourneySignalsTest {

  @Autowired JourneySignals signals;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired HistoryService history;

  private String deployment;

  @AfterEach
  void undeploy() {
    if (deployment != null) {
      repository.deleteDeployment(deployment, true);
    }
  }

  @Test
  void anOpenContinuesTheWaitingJourneyAndStartsNoJourneyThatBeginsOnAnOpen() {
    deployment = repository.createDeployment()
        .addModelInstance("waits-for-an-open.bpmn", Bpmn.createExecutableProcess("waits-for-an-open").camundaHistoryTimeToLive(1)
            .startEvent().intermediateCatchEvent().message(JourneyMessages.EMAIL_OPENED).userTask("afterOpen").endEvent().done())
        .addModelInstance("starts-on-an-open.bpmn", Bpmn.createExecutableProcess("starts-on-an-open").camundaHistoryTimeToLive(1)
            .startEvent().message(JourneyMessages.EMAIL_OPENED).userTask().endEvent().done())
        .deploy().getId();
    String pid = runtime.startProcessInstanceByKey("waits-for-an-open", "contact-signals").getId();

    assertThat(signals.signal(JourneyMessages.EMAIL_OPENED, pid, Map.of("openedAt", "now"))).isEqualTo(1);

    assertThat(runtime.createExecutionQuery().processInstanceId(pid).activityId("afterOpen").count()).isEqualTo(1);
    assertThat(runtime.getVariable(pid, "openedAt")).isEqualTo("now");
    assertThat(history.createHistoricProcessInstanceQuery().processDefinitionKey("starts-on-an-open").count()).isZero();
    // an instance that no longer waits: nothing continued, nothing started, no error
    assertThat(signals.signal(JourneyMessages.EMAIL_OPENED, pid, Map.of())).isZero();
    assertThat(history.createHistoricProcessInstanceQuery().processDefinitionKey("starts-on-an-open").count()).isZero();
  }
}
