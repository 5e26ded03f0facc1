package io.relais.web;

import io.relais.platform.ClusterLock;
import java.time.Duration;
import java.util.List;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.authorization.Authorization;
import org.camunda.bpm.engine.authorization.Permission;
import org.camunda.bpm.engine.authorization.Permissions;
import org.camunda.bpm.engine.authorization.Resource;
import org.camunda.bpm.engine.authorization.Resources;
import org.camunda.bpm.engine.identity.Group;
import org.camunda.bpm.engine.identity.User;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Creates Relais' groups with their Camunda authorizations on every start (idempotently), and the
 * demo accounts of the embedded mode when {@code relais.demo-accounts.enabled} is true.
 */
@Component
public class IdentityBootstrap {

  /** Demo accounts of the embedded mode: id, password, group. Documented in the README. */
  public static final List<String[]> DEMO_ACCOUNTS =
      List.of(
          new String[] {"marketer", "marketer", RelaisGroups.MARKETERS, "Marie", "Marketing"},
          new String[] {"agent", "agent", RelaisGroups.AGENTS, "Alex", "Agent"},
          new String[] {"supervisor", "supervisor", RelaisGroups.SUPERVISORS, "Sam", "Superviseur"},
          new String[] {"integration", "integration", RelaisGroups.INTEGRATIONS, "Shop", "Integration"});

  private static final Logger log = LoggerFactory.getLogger(IdentityBootstrap.class);

  private final IdentityService identity;
  private final AuthorizationService authorizations;
  private final boolean demoAccounts;
  private final ClusterLock clusterLock;

  public IdentityBootstrap(
      IdentityService identity,
      AuthorizationService authorizations,
      @Value("${relais.demo-accounts.enabled:false}") boolean demoAccounts,
      org.springframework.beans.factory.ObjectProvider<ClusterLock> clusterLock) {
    this.identity = identity;
    this.authorizations = authorizations;
    this.demoAccounts = demoAccounts;
    this.clusterLock = clusterLock.getIfAvailable();
  }

  @EventListener(ApplicationStartedEvent.class)
  @Order(-10)
  public void bootstrap() {
    // nodes starting together: one creates, the others skip (groups and grants are unique rows)
    if (clusterLock == null) {
      createAll();
    } else {
      clusterLock.runExclusively("identity-bootstrap", Duration.ofMinutes(2), this::createAll);
    }
  }

  private void createAll() {
    group(RelaisGroups.MARKETERS, "Marketers");
    group(RelaisGroups.AGENTS, "Agents");
    group(RelaisGroups.SUPERVISORS, "Supervisors");
    group(RelaisGroups.INTEGRATIONS, "Integrations");
    group(RelaisGroups.AFTER_SALES, "After-sales agents");

    // Marketers own journeys: deploy from Modeler, watch in Cockpit, migrate, fix incidents.
    for (Resource r :
        List.of(
            Resources.DEPLOYMENT,
            Resources.PROCESS_DEFINITION,
            Resources.PROCESS_INSTANCE,
            Resources.DECISION_DEFINITION,
            Resources.DECISION_REQUIREMENTS_DEFINITION,
            Resources.TASK,
            Resources.BATCH,
            Resources.HISTORIC_TASK,
            Resources.HISTORIC_PROCESS_INSTANCE)) {
      grant(RelaisGroups.MARKETERS, r, "*", Permissions.ALL);
    }
    grant(RelaisGroups.MARKETERS, Resources.APPLICATION, "*", Permissions.ACCESS);
    grant(RelaisGroups.MARKETERS, Resources.FILTER, "*", Permissions.READ);

    // Agents and supervisors work in Tasklist: read and work tasks, nothing else.
    for (String g : List.of(RelaisGroups.AGENTS, RelaisGroups.SUPERVISORS, RelaisGroups.AFTER_SALES)) {
      grant(g, Resources.APPLICATION, "tasklist", Permissions.ACCESS);
      grant(g, Resources.TASK, "*", Permissions.READ, Permissions.UPDATE);
      grant(g, Resources.PROCESS_DEFINITION, "*", Permissions.READ, Permissions.READ_TASK, Permissions.UPDATE_TASK);
      grant(g, Resources.FILTER, "*", Permissions.READ);
      grant(g, Resources.USER, "*", Permissions.READ);
      grant(g, Resources.GROUP, "*", Permissions.READ);
    }

    // Backend systems start journeys and correlate messages through /engine-rest.
    grant(RelaisGroups.INTEGRATIONS, Resources.PROCESS_DEFINITION, "*",
        Permissions.READ, Permissions.CREATE_INSTANCE, Permissions.READ_INSTANCE, Permissions.UPDATE_INSTANCE);
    grant(RelaisGroups.INTEGRATIONS, Resources.PROCESS_INSTANCE, "*",
        Permissions.CREATE, Permissions.READ, Permissions.UPDATE);

    if (demoAccounts) {
      for (String[] a : DEMO_ACCOUNTS) {
        user(a[0], a[1], a[3], a[4], a[2]);
      }
      // The demo agent also works the after-sales queue, so every bundled journey can be tried.
      user("agent", "agent", "Alex", "Agent", RelaisGroups.AFTER_SALES);
      log.warn("Demo accounts are enabled (embedded mode): never use them in production");
    }
  }

  private void group(String id, String name) {
    if (identity.createGroupQuery().groupId(id).count() == 0) {
      Group g = identity.newGroup(id);
      g.setName(name);
      g.setType("WORKFLOW");
      identity.saveGroup(g);
    }
  }

  private void user(String id, String password, String first, String last, String group) {
    if (identity.createUserQuery().userId(id).count() == 0) {
      User u = identity.newUser(id);
      u.setPassword(password);
      u.setFirstName(first);
      u.setLastName(last);
      u.setEmail(id + "@relais.example");
      identity.saveUser(u);
    }
    if (identity.createUserQuery().userId(id).memberOfGroup(group).count() == 0) {
      identity.createMembership(id, group);
    }
  }

  private void grant(String group, Resource resource, String resourceId, Permission... permissions) {
    Authorization existing =
        authorizations.createAuthorizationQuery()
            .groupIdIn(group)
            .resourceType(resource)
            .resourceId(resourceId)
            .list()
            .stream()
            .findFirst()
            .orElse(null);
    Authorization a = existing != null ? existing : authorizations.createNewAuthorization(Authorization.AUTH_TYPE_GRANT);
    a.setGroupId(group);
    a.setResource(resource);
    a.setResourceId(resourceId);
    for (Permission p : permissions) {
      a.addPermission(p);
    }
    authorizations.saveAuthorization(a);
  }
}
