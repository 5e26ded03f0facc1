package io.relais.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.RelaisApplication;
import io.relais.contact.Channel;
import io.relais.contact.ContactDirectory;
import io.relais.conversation.MessageLog;
import io.relais.support.Autoanalyze;
import io.relais.support.CpuMeter;
import io.relais.support.DatabaseWork;
import io.relais.support.PollPause;
import io.relais.support.PostgresDatabase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Inbound message → automated answer recorded, at a sustained rate on PostgreSQL, with the job
 * executor on: replies are posted to the webhook at {@code relais.bench.rate} per second to
 * journeys waiting for them, each journey answers through the send pipeline (simulator), and the
 * latency is the time from the stored inbound row to the recorded outbound answer. Run with
 * {@code ./mvnw -o test -Dtest=InboundBenchmarkTest -Dsurefire.excludedGroups= -Drelais.bench.rate=200}.
 */
@Tag("benchmark")
class InboundBenchmarkTest {

  @Test
  void repliesAreAnsweredAtASustainedRate() throws Exception {
    int rate = Integer.getInteger("relais.bench.rate", 200);
    int seconds = Integer.getInteger("relais.bench.seconds", 15);
    int total = rate * seconds;
    try (PostgresDatabase db = PostgresDatabase.create();
        ConfigurableApplicationContext app = new SpringApplicationBuilder(RelaisApplication.class).run(args(Map.ofEntries(
            Map.entry("spring.datasource.url", db.url()), Map.entry("spring.datasource.username", db.user()),
            Map.entry("spring.datasource.password", db.password()), Map.entry("spring.datasource.hikari.maximum-pool-size", "28"),
            Map.entry("camunda.bpm.database.type", "postgres"), Map.entry("server.port", "0"),
            Map.entry("camunda.bpm.job-execution.core-pool-size", "8"), Map.entry("camunda.bpm.job-execution.max-pool-size", "8"),
            Map.entry("camunda.bpm.job-execution.queue-capacity", "16"), Map.entry("camunda.bpm.job-execution.max-jobs-per-acquisition", "32"),
            Map.entry("camunda.bpm.job-execution.wait-time-in-millis", "50"), Map.entry("camunda.bpm.job-execution.max-wait", "200"),
            Map.entry("relais.inbound.workers", "8"), Map.entry("logging.level.root", "warn"),
            Map.entry("spring.flyway.enabled", "true"))));
        Autoanalyze analyzer = Autoanalyze.start(db.url(), db.user(), db.password(), java.time.Duration.ofSeconds(10), System.out)) {
      RuntimeService runtime = app.getBean(RuntimeService.class);
      app.getBean(RepositoryService.class).createDeployment().name("inbound-bench")
          .addClasspathResource("inbound/inbound-bench-journey.bpmn").deploy();
      ContactDirectory contacts = app.getBean(ContactDirectory.class);
      MessageLog log = app.getBean(MessageLog.class);
      JdbcTemplate jdbc = app.getBean(JdbcTemplate.class);
      int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));

      // a warm-up at the same rate first (not measured, default 3,000 replies): the JIT compiles the
      // inbound path during the first thousands of replies (measured: 26 ms of JVM CPU per reply
      // after 250 replies, 17 ms after 4,000), and its CPU would be charged to the measured ones
      int warmup = Integer.getInteger("relais.bench.warmup", 3000);
      List<String> phones = new ArrayList<>();
      for (int i = 0; i < warmup + total; i++) {
        String phone = String.format("+336%08d", i);
        String contactId = contacts.findOrCreateByPhone(phone).id();
        String pid = runtime.startProcessInstanceByKey("inbound-bench-journey", contactId).getId();
        InboundTestSupport.journeyWrote(log, contactId, Channel.SMS, pid, Instant.now());
        phones.add(phone);
      }

      analyzer.now(); // the set-up made thousands of journeys: a production server would have analyzed by now
      String answered = "select count(*) from message o where o.direction = 'OUT' and o.category = 'SERVICE'";
      post(port, phones.subList(0, warmup), rate);
      awaitCount(jdbc, answered, warmup);
      java.sql.Timestamp measuredFrom = new java.sql.Timestamp(System.currentTimeMillis());
      Thread.sleep(10);

      CpuMeter cpu = CpuMeter.start(jdbc);
      DatabaseWork work = DatabaseWork.start(jdbc);
      long start = System.nanoTime();
      List<CompletableFuture<Integer>> sent = post(port, phones.subList(warmup, warmup + total), rate);
      double postSeconds = (System.nanoTime() - start) / 1e9;
      awaitCount(jdbc, answered, warmup + total);
      double allSeconds = (System.nanoTime() - start) / 1e9;
      double[] cpuMillis = cpu.elapsedMillis();
      List<Long> latencies = jdbc.queryForList(
          "select extract(epoch from (min(o.created_at) - i.created_at)) * 1000 from message i join message o "
              + "on o.contact_id = i.contact_id and o.direction = 'OUT' and o.category = 'SERVICE' "
              + "where i.direction = 'IN' and i.created_at >= ? group by i.id, i.created_at", Double.class, measuredFrom)
          .stream().map(Math::round).sorted().toList();
      // where the time goes: stored -> routed to the journey (inbound row PROCESSED), routed -> answer recorded
      List<Long> routed = jdbc.queryForList("select extract(epoch from (updated_at - created_at)) * 1000 from message "
          + "where direction = 'IN' and status = 'PROCESSED' and created_at >= ?", Double.class, measuredFrom).stream().map(Math::round).sorted().toList();
      List<Long> answering = jdbc.queryForList(
          "select extract(epoch from (min(o.created_at) - i.updated_at)) * 1000 from message i join message o "
              + "on o.contact_id = i.contact_id and o.direction = 'OUT' and o.category = 'SERVICE' "
              + "where i.direction = 'IN' and i.created_at >= ? group by i.id, i.updated_at", Double.class, measuredFrom)
          .stream().map(Math::round).sorted().toList();
      System.out.printf("INBOUND BENCHMARK breakdown: stored -> routed p50 %d ms, p99 %d ms; routed -> answer recorded p50 %d ms, p99 %d ms%n",
          pct(routed, 0.5), pct(routed, 0.99), pct(answering, 0.5), pct(answering, 0.99));
      System.out.printf("INBOUND BENCHMARK CPU per reply (independent of the machine's load): JVM %.1f ms (Relais and the "
              + "test's HTTP client), PostgreSQL %.1f ms (its backends for this database); load average %.1f%n",
          cpuMillis[0] / total, cpuMillis[1] / total, java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.print("INBOUND BENCHMARK " + work.since(total, "reply"));
      if (analyzer.active()) {
        System.out.printf("INBOUND BENCHMARK autovacuum is off on this server: the benchmark ran ANALYZE on %d tables as it would%n", analyzer.analyzed());
      }
      long ok = sent.stream().filter(f -> f.join() == 200).count();
      System.out.printf("INBOUND BENCHMARK on PostgreSQL: %d replies posted at %d/s in %.1f s (%d answered 200), "
              + "%d answers recorded after %.1f s: %.0f answers/s; latency inbound stored -> answer recorded p50 %d ms, p99 %d ms, max %d ms%n",
          total, rate, postSeconds, ok, latencies.size(), allSeconds, latencies.size() / allSeconds,
          pct(latencies, 0.50), pct(latencies, 0.99), latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1));
      assertThat(ok).isEqualTo(total);
      assertThat(latencies).hasSize(total); // nothing lost
    }
  }

  /** Posts one "Oui" per phone at the rate, open loop, as Twilio would; returns the HTTP statuses. */
  private static List<CompletableFuture<Integer>> post(int port, List<String> phones, int rate) throws InterruptedException {
    ScheduledExecutorService clock = Executors.newScheduledThreadPool(4);
    // the webhook calls run on their own pool, as many at once as Twilio would (the common
    // fork-join pool has one thread on two cores and would make the client the bottleneck)
    ExecutorService posters = Executors.newFixedThreadPool(64);
    List<CompletableFuture<Integer>> sent = Collections.synchronizedList(new ArrayList<>());
    long periodMicros = 1_000_000L / rate;
    for (int i = 0; i < phones.size(); i++) {
      String phone = phones.get(i);
      clock.schedule(() -> sent.add(CompletableFuture.supplyAsync(() ->
          InboundTestSupport.post(port, TwilioMessageWebhook.PATH, InboundTestSupport.encode(InboundTestSupport.form(phone, "Oui")), null).statusCode(), posters)),
          i * periodMicros, TimeUnit.MICROSECONDS);
    }
    clock.shutdown();
    clock.awaitTermination(phones.size() / Math.max(1, rate) + 60L, TimeUnit.SECONDS);
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
    posters.shutdown();
    return sent;
  }

  private static void awaitCount(JdbcTemplate jdbc, String countQuery, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      long t0 = System.nanoTime();
      if (jdbc.queryForObject(countQuery, Integer.class) >= expected) {
        return;
      }
      Thread.sleep(PollPause.after(System.nanoTime() - t0, 200));
    }
  }

  /** As command-line arguments: they win over application.yml (default properties would not). */
  private static String[] args(Map<String, String> properties) {
    return properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
  }

  private static long pct(List<Long> sorted, double p) {
    return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}
