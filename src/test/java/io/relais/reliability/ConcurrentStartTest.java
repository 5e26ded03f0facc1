package io.relais.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.bench.BenchDatabase;
import io.relais.bench.PostgresTarget;
import io.relais.bench.RelaisNode;
import io.relais.handoff.HandoffQueues;
import io.relais.support.PostgresDatabase;
import io.relais.support.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Two nodes restarted at the same moment with a changed journey (a release rolled out to the whole
 * cluster at once): both come up, the change is deployed once (one new version), and the groups
 * and Tasklist queue filters still exist once. The very first start of a cluster on an empty
 * database is done by one node alone: Camunda creates its tables then, and two nodes creating them
 * at once collide (docs/operations.md).
 */
class ConcurrentStartTest {

  /** Node logs stay after the run (target/reliability-logs), for the post-mortem of a failure. */
  final Path logs = Path.of("target", "reliability-logs", "concurrent-start");

  @Test
  void twoNodesStartingTogetherDeployOnceAndCreateEachQueueOnce() {
    try (PostgresDatabase pg = PostgresDatabase.create()) {
      BenchDatabase db = BenchDatabase.existing(PostgresTarget.host(), PostgresTarget.port(), pg.user(), pg.password(), pg.name());
      Path processes = TestFiles.copyTree(Path.of("processes"), logs.resolve("processes"));
      try (RelaisNode first = node("first", pg, processes)) {
        first.start(Duration.ofMinutes(4)); // creates the schema and deploys version 1
      }
      // the release: one journey changed
      Path changed = processes.resolve("nps-survey.bpmn");
      writeString(changed, readString(changed).replace("</bpmn:definitions>", "<!-- release 2 --></bpmn:definitions>"));
      List<RelaisNode> nodes = List.of(node("one", pg, processes), node("two", pg, processes));
      try {
        CompletableFuture.allOf(nodes.stream()
            .map(n -> CompletableFuture.runAsync(() -> n.start(Duration.ofMinutes(4))))
            .toArray(CompletableFuture[]::new)).join();
        assertThat(nodes).allMatch(RelaisNode::isAlive);

        assertThat(db.queryLong("select count(*) from act_re_deployment where name_ = 'relais-journeys'"))
            .as("deployments: the first start's and the release's").isEqualTo(2);
        assertThat(db.queryLong("select max(version_) from act_re_procdef where key_ = 'nps-survey'")).isEqualTo(2);
        assertThat(db.queryLong("select count(*) from (select key_ from act_re_procdef group by key_ having count(*) > 2) thrice"))
            .as("process definitions deployed by both nodes").isZero();
        assertThat(db.queryLong("select count(distinct key_) from act_re_procdef")).isGreaterThanOrEqualTo(9);
        for (String filter : HandoffQueues.FILTERS.values()) {
          assertThat(db.queryLong("select count(*) from act_ru_filter where name_ = ?", filter)).as("filter %s", filter).isEqualTo(1);
        }
        assertThat(db.queryLong("select count(*) from act_id_group where id_ in ('marketers', 'agents', 'supervisors', 'integrations', 'aftersales')"))
            .isEqualTo(5);
      } finally {
        nodes.forEach(RelaisNode::close);
      }
    }
  }

  private static String readString(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeString(Path p, String text) {
    try {
      Files.writeString(p, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private RelaisNode node(String name, PostgresDatabase pg, Path processes) {
    return RelaisNode.fromThisClasspath(name, RelaisNode.freePort(), logs.resolve(name + ".log"))
        .database(pg.url(), pg.user(), pg.password())
        .property("relais.processes-dir", processes.toString())
        .property("relais.forms-dir", Path.of("forms").toAbsolutePath().toString())
        .jvmOption("-Xmx512m")
        .jvmOption("-XX:TieredStopAtLevel=1")
        // the shared test server has ~100 connections for every suite running on the machine
        .property("camunda.bpm.job-execution.core-pool-size", "2")
        .property("camunda.bpm.job-execution.max-pool-size", "2")
        .property("spring.datasource.hikari.maximum-pool-size", "10");
  }
}
