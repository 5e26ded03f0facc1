package io.relais.inbound;

import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.repository.DecisionDefinition;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The latest deployed version of the {@code replyIntent} table, so that a marketer's deploy from
 * Modeler takes effect within seconds on every node; parsed once per version.
 */
@Component
class DeployedIntentTable {

  private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final RepositoryService repositoryService;
  private volatile Cached cached;

  DeployedIntentTable(RepositoryService repositoryService) {
    this.repositoryService = repositoryService;
  }

  Optional<IntentTable> current() {
    Cached c = cached;
    if (c != null && System.nanoTime() - c.checkedAt < RECHECK_NANOS) {
      return Optional.ofNullable(c.table);
    }
    return recheck();
  }

  /**
   * One thread at a time asks the repository and parses: the inbound workers all arrive at once
   * after a start or a recheck, and eight parses of the same table would queue on the model
   * parser's lock for seconds while replies wait.
   */
  private synchronized Optional<IntentTable> recheck() {
    Cached c = cached;
    long now = System.nanoTime();
    if (c != null && now - c.checkedAt < RECHECK_NANOS) {
      return Optional.ofNullable(c.table);
    }
    DecisionDefinition latest =
        repositoryService.createDecisionDefinitionQuery().decisionDefinitionKey(ReplyIntents.DECISION_KEY).latestVersion().singleResult();
    if (latest == null) {
      cached = new Cached(null, null, now);
      return Optional.empty();
    }
    if (c != null && latest.getId().equals(c.definitionId)) {
      cached = new Cached(c.definitionId, c.table, now);
      return Optional.ofNullable(c.table);
    }
    IntentTable table = IntentTable.parse(repositoryService.getDecisionModel(latest.getId()));
    cached = new Cached(latest.getId(), table, now);
    return Optional.of(table);
  }

  /** Parsed before the first reply arrives, not by it. */
  @EventListener(ApplicationReadyEvent.class)
  void warmUp() {
    current();
  }

  /** Forgets the cached version (tests that deploy a new table). */
  void refresh() {
    cached = null;
  }

  private record Cached(String definitionId, IntentTable table, long checkedAt) {}
}
