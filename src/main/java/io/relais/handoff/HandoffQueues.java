package io.relais.handoff;

import io.relais.platform.ClusterLock;
import io.relais.web.RelaisGroups;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.filter.Filter;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Creates at start-up (idempotently) one Tasklist filter per handoff queue, readable by that
 * queue's group, so that a handoff shows in the agents' list the moment its task exists.
 */
@Component
public class HandoffQueues {

  /** Filter names as Tasklist shows them, per candidate group. */
  public static final Map<String, String> FILTERS = new LinkedHashMap<>(Map.of(
      RelaisGroups.AGENTS, "Conversations — agents",
      RelaisGroups.SUPERVISORS, "Conversations — superviseurs",
      RelaisGroups.AFTER_SALES, "Conversations — SAV"));

  private final FilterService filters;
  private final TaskService tasks;
  private final AuthorizationService authorizations;
  private final ClusterLock clusterLock;

  public HandoffQueues(FilterService filters, TaskService tasks, AuthorizationService authorizations, ClusterLock clusterLock) {
    this.filters = filters;
    this.tasks = tasks;
    this.authorizations = authorizations;
    this.clusterLock = clusterLock;
  }

  @EventListener(ApplicationStartedEvent.class)
  @Order(10)
  public void createFilters() {
    // nodes starting together: one creates the filters, the others find them (or skip: the one
    // holding the lease is creating them)
    clusterLock.runExclusively("handoff-filters", Duration.ofMinutes(2), () -> {
      int priority = -20;
      for (Map.Entry<String, String> queue : FILTERS.entrySet()) {
        ensureFilter(queue.getKey(), queue.getValue(), priority++);
      }
    });
  }

  /** The filter of a queue: its group's tasks, claimed or not, newest first; created if missing. */
  public Filter ensureFilter(String group, String name, int priority) {
    // the oldest one if an earlier version of Relais created it twice
    Filter filter = filters.createFilterQuery().filterName(name).list().stream().findFirst().orElse(null);
    if (filter == null) {
      filter = filters.newTaskFilter(name);
      filter.setQuery(tasks.createTaskQuery().taskCandidateGroup(group).includeAssignedTasks()
          .orderByTaskCreateTime().desc());
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put("description", "Conversations confiées à un humain (file " + group + ")");
      properties.put("priority", priority);
      properties.put("refresh", true);
      properties.put("variables", List.of(Map.of("name", HandoffVariables.REASON, "label", "Motif")));
      filter.setProperties(properties);
      filter = filters.saveFilter(filter);
    }
    boolean granted = authorizations.createAuthorizationQuery().resourceType(Resources.FILTER)
        .resourceId(filter.getId()).groupIdIn(group).count() > 0;
    if (!granted) {
      Authorization read = authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
      read.setGroupId(group);
      read.setResource(Resources.FILTER);
      read.setResourceId(filter.getId());
      read.addPermission(Permissions.READ);
      authorizations.saveAuthorization(read);
    }
    return filter;
  }
}
