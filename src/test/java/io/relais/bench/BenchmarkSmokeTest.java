package io.relais.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.CpuMeter;

import io.relais.support.PostgresDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmark of bench/run.sh with N = 100, in the normal test run so that it cannot rot: every
 * phase completes and prints its figures. No timing threshold: the test machine is shared.
 */
class BenchmarkSmokeTest {

  /** Small: on a shared 2-core machine under load 20+ the send leg of the real journey runs at 1–5 journeys/s. */
  private static final int N = 100;
  private static final int WARMUP = 30;

  @TempDir Path tmp;

  @Test
  void everyPhaseCompletesAndPrintsItsFigures() {
    // contacts through the CSV import; a warm-up round of 30 journeys before the measured ones;
    // 20 replies warm the reply path up, 50 are measured, 30 drained
    Benchmark.Settings settings = new Benchmark.Settings(N, 4, 25, 2, 2, Duration.ofMinutes(10), false, true, false, false, true, 20,
        WARMUP);
    ByteArrayOutputStream table = new ByteArrayOutputStream();
    Map<String, Benchmark.Figure> figures;
    RelaisNode unstarted = RelaisNode.fromThisClasspath("smoke", RelaisNode.freePort(), tmp.resolve("relais.log"));
    Benchmark.NODE_PROPERTIES.forEach(unstarted::property);
    try (PostgresDatabase pg = PostgresDatabase.create();
        RelaisNode node = unstarted
            .database(pg.url(), pg.user(), pg.password())
            .jvmOption("-Xmx512m")
            .jvmOption("-XX:TieredStopAtLevel=1")
            // the shared test server has ~100 connections for every suite running on the machine
            // a send job holds two connections (the engine's and the pipeline's own transaction):
            // 3 job threads need 2 x 3 + 4 inbound workers + 2 (ProductionSettingsGuard)
            .property("spring.datasource.hikari.maximum-pool-size", "12")
            .property("camunda.bpm.job-execution.core-pool-size", "3")
            .property("camunda.bpm.job-execution.max-pool-size", "3")
            .start(Duration.ofMinutes(4))) {
      BenchDatabase db = BenchDatabase.existing(PostgresTarget.host(), PostgresTarget.port(), pg.user(), pg.password(), pg.name());
      figures = new Benchmark(db, node, settings, new PrintStream(table, true, StandardCharsets.UTF_8)).run();
    }
    String printed = table.toString(StandardCharsets.UTF_8);
    System.out.println(printed);

    assertThat(figures.get("journeys/s to the first email sent").value()).isPositive();
    assertThat(figures.get("failed start requests").value()).isZero();
    // the measured round counts its own journeys only, not the warm-up round's before it
    assertThat(figures.get("cart emails handed to the simulator").value()).isEqualTo(N);
    assertThat(figures.get("SMS sent/s until the backlog is gone").value()).isPositive();
    assertThat(figures.get("cart SMS handed to the simulator").value()).isEqualTo(N);
    // the burst split into the node's pick-up and its rate: both read from the SMS the burst wrote
    assertThat(figures.get("first SMS written after the timers fell due").value()).isNotNegative();
    assertThat(figures.get("SMS sent/s from the first SMS to the last").value()).isPositive();
    assertThat(figures.get("answered/s (reply to answer sent)").value()).isPositive();
    assertThat(figures.get("failed reply requests / unanswered").value()).isZero();
    // the machine-wide reading: some cores were busy while replies were answered, never more than it has
    assertThat(figures.get("replies: cores busy (whole machine)").value())
        .isGreaterThan(0.0).isLessThanOrEqualTo(CpuMeter.machineTicks().cpus() + 0.01);
    assertThat(figures.get("replies: CPU of the benchmark's client").value()).isPositive();
    assertThat(figures.get("p99 reply to answer").value()).isPositive();
    assertThat(figures.get("replies/s, unthrottled, to the answer sent").value()).isPositive();
    assertThat(figures.get("runtime bytes per waiting journey").value()).isPositive();
    assertThat(figures.get("history bytes per finished journey").value()).isPositive();
    assertThat(figures.get("heap after GC, " + N + " waiting journeys").value()).isPositive();
    assertThat(figures.get("live objects (class histogram), " + N + " waiting journeys").value()).isPositive();
    assertThat(figures.get("PostgreSQL single-row insert tx/s").value()).isPositive();
    assertThat(printed).contains("launch", "timer burst", "replies", "storage", "memory", "ceiling", "time-to-live 180 days",
        "replies' warm-up: 20 replies (journeys 0..19), 0 failed", "settled after timer burst: ",
        "warm-up round: " + WARMUP + " journeys (contacts bench-" + N + "..bench-" + (N + WARMUP - 1) + ") launched, timers due, replied to and ended");
    assertThat(figures.get("launch: of which the JIT compiler").value()).isGreaterThanOrEqualTo(0.0)
        .isLessThanOrEqualTo(figures.get("launch: CPU of the Relais JVM").value());
    // each SMS of the burst records its message and its activity history: both tables are indexed,
    // so the burst writes index entries in both, and says how many per journey
    assertThat(figures.get("timer burst: index entries written per journey").value()).isPositive();
    assertThat(printed).containsPattern("rows and index entries, timer burst: [0-9.]+ index entries written per journey")
        .containsPattern("\\n    act_hi_actinst +[0-9.]+ = \\([0-9.]+ ins")
        .containsPattern("\\n    message +[0-9.]+ = \\([0-9.]+ ins");
    // each measured phase's span, in the form perf report --time takes
    assertThat(printed).containsPattern("window, timer burst: \\S+ to \\S+ \\(epoch seconds \\d{10}\\.\\d{3},\\d{10}\\.\\d{3}\\)");
  }
}
