package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.RelaisSpringTest;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutorContext;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What one batch of {@link BatchingJobExecutor} runs in its transaction: timers, in order, up to
 * the first job that is not a timer (the steps after a customer's reply run alone, committed at
 * once), or until its time is up; the rest is left to run one by one.
 */
@RelaisSpringTest
class JobBatchCommandTest {

  @Autowired ProcessEngine engine;
  @Autowired RuntimeService runtime;
  @Autowired RepositoryService repository;
  @Autowired ManagementService management;

  @Test
  void aBatchRunsItsTimersAndEndsAtTheFirstJobThatIsNotATimer() {
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String timed = "batch-timer-" + suffix;
    String continued = "batch-async-" + suffix;
    repository.createDeployment()
        .addModelInstance(timed + ".bpmn", Bpmn.createExecutableProcess(timed).camundaHistoryTimeToLive(1).startEvent()
            .intermediateCatchEvent("Timer_Wait").timerWithDuration("PT1H").receiveTask("After_Timer").endEvent().done())
        .addModelInstance(continued + ".bpmn", Bpmn.createExecutableProcess(continued).camundaHistoryTimeToLive(1).startEvent()
            .serviceTask("Task_Async").camundaAsyncBefore().camundaExpression("${true}").receiveTask("After_Async").endEvent().done())
        .deploy();
    ProcessInstance t1 = runtime.startProcessInstanceByKey(timed);
    ProcessInstance t2 = runtime.startProcessInstanceByKey(timed);
    ProcessInstance a = runtime.startProcessInstanceByKey(continued);
    ProcessInstance t3 = runtime.startProcessInstanceByKey(timed);
    List<String> jobs = List.of(job(t1), job(t2), job(a), job(t3));

    List<String> left = batch(jobs, System.nanoTime() + TimeUnit.HOURS.toNanos(1));

    assertThat(left).containsExactly(job(a), job(t3));
    assertThat(waitsAt(t1, "After_Timer")).isTrue();
    assertThat(waitsAt(t2, "After_Timer")).isTrue();
    assertThat(waitsAt(a, "After_Async")).as("the continuation is left to run alone").isFalse();
    assertThat(waitsAt(t3, "After_Timer")).isFalse();

    // a batch whose time is up runs the job it has begun with and leaves the others
    ProcessInstance t4 = runtime.startProcessInstanceByKey(timed);
    assertThat(batch(List.of(job(t3), job(t4)), System.nanoTime() - 1)).containsExactly(job(t4));
    assertThat(waitsAt(t3, "After_Timer")).isTrue();
    assertThat(waitsAt(t4, "After_Timer")).isFalse();
  }

  private List<String> batch(List<String> jobIds, long deadline) {
    ProcessEngineConfigurationImpl configuration = (ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration();
    Context.setJobExecutorContext(new JobExecutorContext());
    try {
      return configuration.getCommandExecutorTxRequired().execute(new BatchingJobExecutor.ExecuteBatchCmd(jobIds, deadline));
    } finally {
      Context.removeJobExecutorContext();
    }
  }

  private String job(ProcessInstance pi) {
    return management.createJobQuery().processInstanceId(pi.getId()).singleResult().getId();
  }

  private boolean waitsAt(ProcessInstance pi, String activityId) {
    return runtime.createExecutionQuery().processInstanceId(pi.getId()).activityId(activityId).count() == 1;
  }
}
