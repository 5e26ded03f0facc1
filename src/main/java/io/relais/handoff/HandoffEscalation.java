package io.relais.handoff;

import static io.relais.handoff.HandoffVariables.*;

import java.time.Clock;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.task.IdentityLink;
import org.camunda.bpm.engine.task.IdentityLinkType;
import org.camunda.bpm.engine.task.Task;
import org.springframework.context.annotation.Lazy;
import org.springframework.stereotype.Component;

/**
 * {@code ${handoffEscalation}}: still unclaimed after {@code relais.handoff.escalation}, the task
 * leaves its queue for the supervisors' one (and so do the follow-up tasks of this handoff).
 */
@Component("handoffEscalation")
public class HandoffEscalation implements JavaDelegate {

  private final TaskService tasks;
  private final HandoffRegistry registry;
  private final HandoffProperties properties;
  private final Clock clock;

  public HandoffEscalation(@Lazy TaskService tasks, HandoffRegistry registry, HandoffProperties properties, Clock clock) {
    this.tasks = tasks;
    this.registry = registry;
    this.properties = properties;
    this.clock = clock;
  }

  @Override
  public void execute(DelegateExecution execution) {
    Task task = tasks.createTaskQuery().processInstanceId(execution.getProcessInstanceId())
        .taskDefinitionKey(TASK_FIRST).singleResult();
    if (task == null || task.getAssignee() != null) {
      return;
    }
    String target = properties.escalationQueue();
    for (IdentityLink link : tasks.getIdentityLinksForTask(task.getId())) {
      if (IdentityLinkType.CANDIDATE.equals(link.getType()) && link.getGroupId() != null && !target.equals(link.getGroupId())) {
        tasks.deleteCandidateGroup(task.getId(), link.getGroupId());
      }
    }
    tasks.addCandidateGroup(task.getId(), target);
    execution.setVariable(QUEUE, target);
    registry.escalated(execution.getProcessInstanceId(), target, clock.instant());
  }
}
