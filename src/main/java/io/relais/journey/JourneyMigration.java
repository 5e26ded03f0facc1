package io.relais.journey;

import io.relais.web.NotFoundException;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.batch.Batch;
import org.camunda.bpm.engine.migration.MigrationPlan;
import org.camunda.bpm.engine.repository.ProcessDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Moves the running customers of a journey from its older versions to the latest one with
 * Camunda's migration API, mapping the steps that kept their id ({@code mapEqualActivities}). A
 * few instances are migrated one by one at once, so that one that cannot move does not hold the
 * others back and is reported; many are migrated by a batch the job executor runs.
 */
@Service
public class JourneyMigration {

  /** At most this many instances are migrated at once in the request; more go to a batch. */
  static final int SYNCHRONOUS_LIMIT = 200;
  private static final Logger log = LoggerFactory.getLogger(JourneyMigration.class);

  private final RepositoryService repository;
  private final RuntimeService runtime;

  public JourneyMigration(RepositoryService repository, RuntimeService runtime) {
    this.repository = repository;
    this.runtime = runtime;
  }

  /** What a migration did. {@code batchId} is set when it was handed to a batch. */
  public record Report(
      String journey, int targetVersion, String targetDefinitionId, int migrated, int failed,
      List<Failure> failures, int scheduled, String batchId) {}

  /** An instance that could not move, and why. */
  public record Failure(String processInstanceId, String businessKey, int fromVersion, String reason) {}

  public Report migrateToLatest(String journeyKey) {
    ProcessDefinition latest =
        repository.createProcessDefinitionQuery().processDefinitionKey(journeyKey).latestVersion().singleResult();
    if (latest == null) {
      throw new NotFoundException("No journey with key '" + journeyKey + "'");
    }
    List<ProcessDefinition> older =
        repository.createProcessDefinitionQuery().processDefinitionKey(journeyKey).list().stream()
            .filter(d -> d.getVersion() < latest.getVersion())
            .toList();
    int migrated = 0;
    int scheduled = 0;
    String batchId = null;
    List<Failure> failures = new ArrayList<>();
    for (ProcessDefinition source : older) {
      long running = runtime.createProcessInstanceQuery().processDefinitionId(source.getId()).count();
      if (running == 0) {
        continue;
      }
      MigrationPlan plan =
          runtime.createMigrationPlan(source.getId(), latest.getId()).mapEqualActivities().updateEventTriggers().build();
      if (running > SYNCHRONOUS_LIMIT) {
        Batch batch =
            runtime.newMigration(plan)
                .processInstanceQuery(runtime.createProcessInstanceQuery().processDefinitionId(source.getId()))
                .skipCustomListeners()
                .executeAsync();
        batchId = batch.getId();
        scheduled += (int) running;
        continue;
      }
      for (var instance : runtime.createProcessInstanceQuery().processDefinitionId(source.getId()).list()) {
        try {
          runtime.newMigration(plan).processInstanceIds(instance.getId()).skipCustomListeners().execute();
          migrated++;
        } catch (RuntimeException e) {
          failures.add(new Failure(instance.getId(), instance.getBusinessKey(), source.getVersion(), e.getMessage()));
        }
      }
    }
    log.info("Journey {} migrated to version {}: {} migrated, {} failed, {} scheduled in a batch",
        journeyKey, latest.getVersion(), migrated, failures.size(), scheduled);
    return new Report(journeyKey, latest.getVersion(), latest.getId(), migrated, failures.size(), failures, scheduled, batchId);
  }
}
