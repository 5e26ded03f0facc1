package io.relais.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.platform.ClusterLock;
import io.relais.support.RelaisSpringTest;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.camunda.bpm.engine.AuthorizationService;
import org.camunda.bpm.engine.FilterService;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Two nodes starting at once on one database create each Tasklist queue filter once. */
@RelaisSpringTest
class HandoffQueuesClusterTest {

  @Autowired FilterService filters;
  @Autowired TaskService tasks;
  @Autowired AuthorizationService authorizations;
  @Autowired JdbcTemplate jdbc;
  @Autowired Clock clock;

  @Test
  void twoNodesStartingTogetherCreateEachQueueFilterOnce() throws Exception {
    HandoffQueues.FILTERS.values().forEach(name ->
        filters.createFilterQuery().filterName(name).list().forEach(f -> filters.deleteFilter(f.getId())));
    // two nodes: each its own lease holder, the same engine and database
    HandoffQueues nodeA = new HandoffQueues(filters, tasks, authorizations, new ClusterLock(jdbc, clock));
    HandoffQueues nodeB = new HandoffQueues(filters, tasks, authorizations, new ClusterLock(jdbc, clock));
    var pool = Executors.newFixedThreadPool(2);
    try {
      CompletableFuture.allOf(CompletableFuture.runAsync(nodeA::createFilters, pool), CompletableFuture.runAsync(nodeB::createFilters, pool))
          .get();
    } finally {
      pool.shutdown();
    }
    nodeA.createFilters(); // a later restart finds them
    for (String name : HandoffQueues.FILTERS.values()) {
      assertThat(filters.createFilterQuery().filterName(name).count()).as("filters named %s", name).isEqualTo(1);
    }
  }
}
