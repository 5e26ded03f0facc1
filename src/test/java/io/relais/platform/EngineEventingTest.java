package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.impl.history.event.HistoryEvent;
import org.camunda.bpm.engine.repository.Deployment;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.spring.boot.starter.event.ExecutionEvent;
import org.camunda.bpm.spring.boot.starter.event.TaskEvent;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.event.ApplicationEventMulticaster;

/**
 * The engine publishes no Spring application event per execution step, task step or history
 * event ({@code camunda.bpm.eventing.*: false}): nothing in Relais listens to them, and in a timer
 * burst publishing them cost about 3 % of the node's CPU (docs/performance.md).
 */
@RelaisSpringTest
class EngineEventingTest {

  @Autowired ConfigurableApplicationContext context;
  @Autowired ApplicationEventMulticaster multicaster;
  @Autowired RepositoryService repository;
  @Autowired RuntimeService runtime;
  @Autowired TaskService tasks;

  @Test
  void aJourneyStepPublishesNoEngineEvent() {
    List<Object> engineEvents = new CopyOnWriteArrayList<>();
    ApplicationListener<ApplicationEvent> listener = event -> {
      Object payload = event instanceof PayloadApplicationEvent<?> p ? p.getPayload() : event;
      if (payload instanceof DelegateExecution || payload instanceof ExecutionEvent || payload instanceof DelegateTask
          || payload instanceof TaskEvent || payload instanceof HistoryEvent) {
        engineEvents.add(payload);
      }
    };
    context.addApplicationListener(listener);
    Deployment deployment = repository.createDeployment().name("eventing-test")
        .addModelInstance("eventing-test.bpmn", Bpmn.createExecutableProcess("eventing-test").camundaHistoryTimeToLive(1)
            .startEvent().userTask("Task_Agent").camundaCandidateGroups("agents").endEvent().done())
        .deploy();
    try {
      String pid = runtime.startProcessInstanceByKey("eventing-test", "contact-eventing").getId();
      tasks.complete(tasks.createTaskQuery().processInstanceId(pid).singleResult().getId());
      assertThat(runtime.createProcessInstanceQuery().processInstanceId(pid).count()).isZero();
      assertThat(engineEvents).as("Spring events published by the engine").isEmpty();

      // the listener does see such an event when one is published
      context.publishEvent(new HistoryEvent());
      assertThat(engineEvents).hasSize(1);
    } finally {
      multicaster.removeApplicationListener(listener);
      repository.deleteDeployment(deployment.getId(), true);
    }
  }
}
