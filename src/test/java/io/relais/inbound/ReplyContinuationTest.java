package io.relais.inbound;

import static io.relais.inbound.InboundTestSupport.assertTwiml;
import static io.relais.inbound.InboundTestSupport.form;
import static io.relais.inbound.InboundTestSupport.freshPhone;
import static io.relais.inbound.InboundTestSupport.journeyWrote;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.relais.contact.Channel;
import io.relais.conversation.MessageRecord;
import io.relais.journey.JourneyMessages;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.runtime.Job;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.builder.IntermediateCatchEventBuilder;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A journey's steps after a customer's reply (the asynchronous continuation of the event that
 * caught it) run in the reply's routing transaction, up to the journey's next wait; a failure
 * there leaves the reply taken and the steps to a job of the journey, retried and ending as an
 * incident, as the diagram's asynchronous continuation would; a step asynchronous before it keeps
 * its job. The job executor is off in these tests: a step left to a job does not run unless the
 * test runs it.
 */
class ReplyContinuationTest extends InboundEndToEnd {

  @Autowired ProcessEngineConfigurationImpl engineConfiguration;

  private static final String CAUGHT = "Event_Reply";

  @Test
  void theStepsAfterAReplyRunWithItsRoutingUpToTheJourneysNextWait() {
    withJourney("continues-with-routing", reply -> reply.serviceTask("Task_Classify").camundaDelegateExpression("${classifyReply}")
        .userTask("Task_Next").endEvent().done(), (pid, contactId) -> {
          MessageRecord in = replyTaken(contactId, pid, "Oui, merci");

          assertThat(runtimeService.createProcessInstanceQuery().processInstanceId(pid).activityIdIn("Task_Next").count())
              .as("the journey reached its next wait with the routing").isEqualTo(1);
          assertThat(managementService.createJobQuery().processInstanceId(pid).count()).as("no job left for those steps").isZero();
          assertThat(variable(pid, JourneyMessages.VAR_INTENT)).isEqualTo("YES");
          assertThat(variable(pid, JourneyMessages.VAR_REPLY_MESSAGE_ID)).isEqualTo(in.id());
        });
  }

  @Test
  void aFailureInThoseStepsLeavesTheReplyTakenAndTheStepsToAJobThatEndsAsAnIncident() {
    withJourney("continues-into-a-failure", reply -> reply.serviceTask("Task_Broken").camundaExpression("${noSuchBean.run()}")
        .userTask("Task_Next").endEvent().done(), (pid, contactId) -> {
          replyTaken(contactId, pid, "Oui");

          // the reply is taken: its variables on the journey, not parked
          assertThat(variable(pid, JourneyMessages.VAR_REPLY_TEXT)).isEqualTo("Oui");
          assertThat(processor.unfinished(contactId)).isZero();
          assertThat(runtimeService.createEventSubscriptionQuery().processInstanceId(pid).count())
              .as("the journey no longer waits for the reply").isZero();
          // the steps wait in the catching event's job, which fails as the diagram's would
          Job job = managementService.createJobQuery().processInstanceId(pid).singleResult();
          assertThat(job).isNotNull();
          assertThat(job.getRetries()).isEqualTo(3);
          assertThat(job.getExceptionMessage()).isNull();
          for (int attempt = 0; attempt < 3; attempt++) {
            String id = job.getId();
            assertThatThrownBy(() -> managementService.executeJob(id)).hasMessageContaining("noSuchBean");
          }
          assertThat(runtimeService.createIncidentQuery().processInstanceId(pid).count()).isEqualTo(1);
          assertThat(runtimeService.createIncidentQuery().processInstanceId(pid).singleResult().getActivityId()).isEqualTo(CAUGHT);
        });
  }

  @Test
  void aStepAsynchronousBeforeItKeepsItsOwnJob() {
    withJourney("continues-up-to-an-async-step", reply -> reply.serviceTask("Task_Classify").camundaDelegateExpression("${classifyReply}")
        .userTask("Task_Later").camundaAsyncBefore().endEvent().done(), (pid, contactId) -> {
          reply(contactId, pid, "Non");

          assertThat(variable(pid, JourneyMessages.VAR_INTENT)).as("the step before it ran with the routing").isEqualTo("NO");
          Job job = managementService.createJobQuery().processInstanceId(pid).singleResult();
          assertThat(job).as("the asynchronous step's own job").isNotNull();
          assertThat(managementService.createJobQuery().processInstanceId(pid).activityId("Task_Later").count()).isEqualTo(1);
          assertThat(runtimeService.getActivityInstance(pid).getTransitionInstances("Task_Later")).as("waiting before the step").hasSize(1);

          managementService.executeJob(job.getId());
          assertThat(runtimeService.getActivityInstance(pid).getActivityInstances("Task_Later")).as("in the step").hasSize(1);
        });
  }

  @Test
  void aStepAsynchronousBeforeItRightAfterACatchingEventThatIsNotKeepsItsOwnJob() {
    // the diagram puts the transaction boundary before the step, not after the event: the step
    // may call another system, which must not hold an inbound worker
    String key = "async-step-after-the-event";
    BpmnModelInstance model = Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent()
        .intermediateCatchEvent(CAUGHT).message(JourneyMessages.CUSTOMER_REPLY)
        .serviceTask("Task_Call").camundaAsyncBefore().camundaDelegateExpression("${classifyReply}").userTask("Task_Next").endEvent().done();
    withJourney(key, model, (pid, contactId) -> {
      reply(contactId, pid, "Oui");

      assertThat(variable(pid, JourneyMessages.VAR_REPLY_TEXT)).as("the reply is taken").isEqualTo("Oui");
      assertThat(managementService.createJobQuery().processInstanceId(pid).activityId("Task_Call").count()).isEqualTo(1);
      assertThat(runtimeService.getActivityInstance(pid).getTransitionInstances("Task_Call")).hasSize(1);
    });
  }

  @Test
  void aRoutingWakesTheJobExecutorOnlyWhenItLeavesAJobDueSoon() {
    // the engine hints at every job it creates; the router withdraws the hint when the only job
    // due soon was the continuation it ran, and keeps it when the continuation reached a step
    // asynchronous before it (a hand-off, due now) or left a timer due within the executor's wait
    String key = "leaves-jobs";
    String deployment = repositoryService.createDeployment().addModelInstance(key + ".bpmn", Bpmn.createExecutableProcess(key)
            .camundaHistoryTimeToLive(1).startEvent().intermediateCatchEvent(CAUGHT).message(JourneyMessages.CUSTOMER_REPLY).camundaAsyncAfter()
            .exclusiveGateway().condition("later", "${next == 'later'}").userTask("Task_Later").camundaAsyncBefore().endEvent()
            .moveToLastGateway().condition("soon", "${next == 'soon'}").intermediateCatchEvent().timerWithDuration("PT1S").endEvent()
            .moveToLastGateway().condition("next week", "${next == 'week'}").intermediateCatchEvent().timerWithDuration("P7D").endEvent()
            .done()).deploy().getId();
    try {
      assertThat(leavesAJobDueSoon(key, "later")).as("a step asynchronous before it, due now").isTrue();
      assertThat(leavesAJobDueSoon(key, "soon")).as("a timer due within the executor's wait").isTrue();
      assertThat(leavesAJobDueSoon(key, "week")).as("only a timer for next week").isFalse();
    } finally {
      repositoryService.deleteDeployment(deployment, true);
    }
  }

  private boolean leavesAJobDueSoon(String key, String next) {
    String pid = runtimeService.startProcessInstanceByKey(key, Map.of("next", next)).getId();
    return engineConfiguration.getCommandExecutorTxRequired().execute(context -> {
      runtimeService.createMessageCorrelation(JourneyMessages.CUSTOMER_REPLY).processInstanceId(pid).correlate();
      assertThat(ConversationRouter.continueJourney(context, pid)).isEqualTo(1);
      return ConversationRouter.jobDueSoon(context);
    });
  }

  /** Replies, and checks the reply was processed and routed to the journey. */
  private MessageRecord replyTaken(String contactId, String pid, String text) {
    MessageRecord in = reply(contactId, pid, text);
    assertThat(in.status()).isEqualTo("PROCESSED");
    assertThat(in.processInstanceId()).isEqualTo(pid);
    return in;
  }

  private MessageRecord reply(String contactId, String pid, String text) {
    String phone = contacts.find(contactId).orElseThrow().phone();
    Map<String, String> form = form(phone, text);
    assertTwiml(postSigned(form));
    awaitProcessed(contactId);
    return messageLog.findByProviderId("TWILIO", form.get("MessageSid")).orElseThrow();
  }

  private interface JourneyCheck {
    void check(String pid, String contactId);
  }

  /** A journey waiting for a reply at an event asynchronous after it, as the product's journeys. */
  private void withJourney(String key, Function<IntermediateCatchEventBuilder, BpmnModelInstance> afterReply, JourneyCheck check) {
    withJourney(key, afterReply.apply(Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1).startEvent()
        .intermediateCatchEvent(CAUGHT).message(JourneyMessages.CUSTOMER_REPLY).camundaAsyncAfter()), check);
  }

  private void withJourney(String key, BpmnModelInstance model, JourneyCheck check) {
    String deployment = repositoryService.createDeployment().addModelInstance(key + ".bpmn", model).deploy().getId();
    try {
      String contactId = contacts.findOrCreateByPhone(freshPhone()).id();
      String pid = runtimeService.startProcessInstanceByKey(key, contactId).getId();
      journeyWrote(messageLog, contactId, Channel.SMS, pid, Instant.now().minusSeconds(60));
      check.check(pid, contactId);
    } finally {
      repositoryService.deleteDeployment(deployment, true);
    }
  }
}
