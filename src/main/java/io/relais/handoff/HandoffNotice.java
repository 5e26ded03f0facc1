package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;

import io.relais.contact.Channel;
import io.relais.outbound.JourneyStep;
import java.time.Clock;
import java.util.Date;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.task.Task;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@code ${handoffNotice}} with input {@code noticeKind}: tells the waiting customer what happens.
 * {@code OUT_OF_HOURS}: when a human will answer and where to look meanwhile. {@code HOLDING}:
 * the SLA passed unclaimed, so the expected delay (nothing is sent if an agent has claimed since).
 */
@Component("handoffNotice")
public class HandoffNotice implements JavaDelegate {

  public static final String KIND = "noticeKind";

  private final CustomerNotices notices;
  private final HandoffRegistry registry;
  private final TaskService tasks;
  private final Clock clock;

  public HandoffNotice(CustomerNotices notices, HandoffRegistry registry, @Lazy TaskService tasks, Clock clock) {
    this.notices = notices;
    this.registry = registry;
    this.tasks = tasks;
    this.clock = clock;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String kind = (String) execution.getVariable(KIND);
    String pi = execution.getProcessInstanceId();
    String text;
    if ("HOLDING".equals(kind)) {
      if (claimed(pi)) {
        return;
      }
      text = notices.holdingText(((Date) execution.getVariable(ESCALATE_AT)).toInstant());
    } else if ("OUT_OF_HOURS".equals(kind)) {
      text = notices.outOfHoursText(((Date) execution.getVariable(OPENS_AT)).toInstant());
    } else {
      throw new IllegalArgumentException("noticeKind must be HOLDING or OUT_OF_HOURS, not " + kind);
    }
    notices.send("handoff-" + kind.toLowerCase(java.util.Locale.ROOT) + ":" + pi, execution.getProcessBusinessKey(),
        Channel.valueOf((String) execution.getVariable(CHANNEL)), text, false,
        new JourneyStep(pi, PROCESS_ID, null, execution.getCurrentActivityId()));
    if ("HOLDING".equals(kind)) {
      registry.holdingSent(pi, clock.instant());
    }
  }

  private boolean claimed(String processInstanceId) {
    Task first = tasks.createTaskQuery().processInstanceId(processInstanceId).taskDefinitionKey(TASK_FIRST).singleResult();
    return first == null || first.getAssignee() != null;
  }
}
