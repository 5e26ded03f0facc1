package io.relais.bench;

import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Issue 10's benchmark: campaign launch, timer burst, replies, storage, memory, each figure set
 * against PostgreSQL's own ceiling measured in the same run. {@link #main} is what {@code
 * bench/run.sh} calls; {@link #run} is what the smoke test calls with a small N.
 */
public final class Benchmark {

  /** The journey measured: {@code bench/processes/bench-cart.bpmn} until the product journeys land. */
  static final String PROCESS_KEY = "RelaisBenchCartProcess";
  static final String START_MESSAGE = "BenchCartAbandoned";
  static final String REPLY_MESSAGE = "CustomerReply";
  static final String INTEGRATION_USER = "benchintegration";
  static final String INTEGRATION_PASSWORD = "bench-integration-secret-42";
  /** The heap is probed at this many waiting journeys and again at N. */
  static final int HEAP_PROBE_AT = 10_000;

  /** What to run; see bench/README.md for each option. */
  public record Settings(int n, int clients, int replyRate, int replySeconds, int ceilingSeconds, Duration phaseTimeout, Path bpmn) {
    public static Settings defaults() {
      return new Settings(100_000, 8, 200, 30, 10, Duration.ofMinutes(60), Path.of("bench/processes/bench-cart.bpmn"));
    }

    Settings withN(int value) {
      return new Settings(value, clients, replyRate, replySeconds, ceilingSeconds, phaseTimeout, bpmn);
    }
  }

  /** One line of the table: a figure, its unit, and how it compares to the PostgreSQL ceiling. */
  public record Figure(String phase, String name, double value, String unit, String target, boolean ratioToCeiling) {}

  private final BenchDatabase db;
  private final RelaisNode node;
  private final Settings s;
  private final PrintStream out;
  private final Map<String, Figure> figures = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();
  private RelaisClient integration;

  public Benchmark(BenchDatabase db, RelaisNode node, Settings settings, PrintStream out) {
    this.db = db;
    this.node = node;
    this.s = settings;
    this.out = out;
  }

  /** Runs every phase against a started node and returns the figures by name. */
  public Map<String, Figure> run() {
    RelaisClient admin = new RelaisClient(node.baseUrl(), "admin", RelaisNode.ADMIN_PASSWORD);
    admin.createUser(INTEGRATION_USER, INTEGRATION_PASSWORD, "integrations");
    admin.deploy(s.bpmn());
    integration = admin.as(INTEGRATION_USER, INTEGRATION_PASSWORD);

    long runtime0 = db.bytesOfTables("act_ru_");
    long history0 = db.bytesOfTables("act_hi_");
    long heap0 = node.heapAfterGc();
    figure("memory", "heap after GC, 0 waiting journeys", heap0 / 1e6, "MB", "", false);

    launch();
    long runtimeN = db.bytesOfTables("act_ru_");
    figure("storage", "runtime bytes per waiting journey", (runtimeN - runtime0) / (double) s.n(), "B", "<= 8192", false);

    timerBurst();
    replies();
    drain();
    long historyN = db.bytesOfTables("act_hi_");
    figure("storage", "history bytes per finished journey", (historyN - history0) / (double) s.n(), "B", "", false);
    HttpResponse<String> cleanup = admin.get("/engine-rest/history/cleanup/configuration");
    String ttl = db.queryLong("select coalesce(max(history_ttl_), -1) from act_re_procdef where key_ = ?", PROCESS_KEY) + " days";
    notes.put("history", "time-to-live " + ttl + "; cleanup " + (cleanup.statusCode() == 200 ? cleanup.body() : "HTTP " + cleanup.statusCode()));

    BenchDatabase.Ceiling ceiling = db.ceiling(s.clients(), s.ceilingSeconds());
    figure("ceiling", "PostgreSQL single-row insert tx/s", ceiling.tps(), "tx/s", "", false);
    notes.put("ceiling", ceiling.tool());
    print(ceiling.tps());
    return figures;
  }

  /** Phase 1: N journeys started by message, until each has passed its first (email) step. */
  private void launch() {
    LongSupplier waiting = () -> db.queryLong("select count(*) from act_ru_job where type_ = 'timer' and process_def_key_ = ?", PROCESS_KEY);
    int first = s.n() > HEAP_PROBE_AT ? HEAP_PROBE_AT : s.n();
    Timed a = startJourneys(0, first, waiting);
    Timed b = new Timed(0, 0, 0);
    if (first == HEAP_PROBE_AT) {
      figure("memory", "heap after GC, " + HEAP_PROBE_AT + " waiting journeys", node.heapAfterGc() / 1e6, "MB", "", false);
      b = startJourneys(first, s.n(), waiting);
    }
    double seconds = (a.nanos + b.nanos) / 1e9;
    figure("launch", "journeys/s to the first email sent", s.n() / seconds, "journeys/s", ">= 1000", true);
    figure("launch", "start requests/s accepted (HTTP)", s.n() / ((a.acceptNanos + b.acceptNanos) / 1e9), "req/s", "", true);
    figure("launch", "failed start requests", a.errors + b.errors, "", "0", false);
    figure("memory", "heap after GC, " + s.n() + " waiting journeys", node.heapAfterGc() / 1e6, "MB", "flat +-10 %", false);
  }

  private record Timed(long nanos, long acceptNanos, long errors) {}

  private Timed startJourneys(int from, int to, LongSupplier waiting) {
    long t0 = System.nanoTime();
    long errors = parallel(from, to, s.clients(), i -> integration.message(START_MESSAGE, contact(i), Map.of("cartEmailWait", "PT24H")));
    long accepted = System.nanoTime() - t0;
    awaitCount("launch", waiting, to);
    return new Timed(System.nanoTime() - t0, accepted, errors);
  }

  /** Phase 2: every waiting timer falls due at once; SMS steps per second until none is left. */
  private void timerBurst() {
    long t0 = System.nanoTime();
    int moved = db.update("update act_ru_job set duedate_ = ? where type_ = 'timer' and process_def_key_ = ?",
        new Timestamp(System.currentTimeMillis() - 1000), PROCESS_KEY);
    awaitCount("timer burst",
        () -> db.queryLong("select count(*) from act_ru_event_subscr where event_name_ = ?", REPLY_MESSAGE), moved);
    figure("timer burst", "SMS steps/s until the backlog is gone", moved / ((System.nanoTime() - t0) / 1e9), "sends/s", ">= 1000", true);
  }

  /** Phase 3: replies at a fixed rate (open loop), latency from the request to the answer step's end. */
  private void replies() {
    int m = (int) Math.min(s.n(), (long) s.replyRate() * s.replySeconds());
    long[] sentAt = new long[m];
    long[] acceptMicros = new long[m];
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(s.clients(), 64));
    List<Future<?>> futures = new ArrayList<>(m);
    long start = System.nanoTime();
    for (int i = 0; i < m; i++) {
      long due = start + (long) (i * (1e9 / s.replyRate()));
      long wait = due - System.nanoTime();
      if (wait > 0) {
        RelaisNode.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      }
      int idx = i;
      sentAt[idx] = System.currentTimeMillis();
      futures.add(pool.submit(() -> {
        long t = System.nanoTime();
        if (integration.message(REPLY_MESSAGE, contact(idx), Map.of()).statusCode() >= 300) {
          errors.incrementAndGet();
        }
        acceptMicros[idx] = (System.nanoTime() - t) / 1000;
      }));
    }
    awaitAll(futures);
    pool.shutdown();
    long offered = System.nanoTime() - start;
    LongSupplier pending = () -> db.queryLong("select count(*) from act_ru_job where type_ = 'message' and process_def_key_ = ?", PROCESS_KEY);
    awaitCount("replies", () -> pending.getAsLong() == 0 ? m : 0, m);

    Map<String, Long> answeredAt = answerTimes();
    long[] latencies = new long[m];
    long last = 0;
    for (int i = 0; i < m; i++) {
      long end = answeredAt.getOrDefault(contact(i), -1L);
      latencies[i] = end < 0 ? Long.MAX_VALUE : end - sentAt[i];
      last = Math.max(last, end);
    }
    Arrays.sort(latencies);
    Arrays.sort(acceptMicros);
    figure("replies", "offered rate", m / (offered / 1e9), "replies/s", "200", false);
    figure("replies", "answered/s (webhook to answer)", m / ((last - sentAt[0]) / 1000.0), "replies/s", ">= 200", true);
    figure("replies", "p50 reply to answer", latencies[m / 2], "ms", "", false);
    figure("replies", "p99 reply to answer", latencies[Math.min(m - 1, (int) Math.ceil(m * 0.99) - 1)], "ms", "<= 250", false);
    figure("replies", "p99 HTTP accept", acceptMicros[Math.min(m - 1, (int) Math.ceil(m * 0.99) - 1)] / 1000.0, "ms", "", false);
    figure("replies", "failed reply requests / unanswered", errors.get() + Arrays.stream(latencies).filter(l -> l == Long.MAX_VALUE).count(), "", "0", false);
  }

  private Map<String, Long> answerTimes() {
    Map<String, Long> times = new HashMap<>();
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(
            "select p.business_key_, a.end_time_ from act_hi_actinst a join act_hi_procinst p on p.id_ = a.proc_inst_id_ "
                + "where a.act_id_ = 'Task_Answer' and a.end_time_ is not null")) {
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          times.put(rs.getString(1), rs.getTimestamp(2).getTime());
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return times;
  }

  /** The journeys nobody replied to get their reply now, as fast as the clients go: correlations/s. */
  private void drain() {
    int m = (int) Math.min(s.n(), (long) s.replyRate() * s.replySeconds());
    long t0 = System.nanoTime();
    if (m < s.n()) {
      parallel(m, s.n(), s.clients(), i -> integration.message(REPLY_MESSAGE, contact(i), Map.of()));
    }
    awaitCount("drain", () -> s.n() - db.queryLong("select count(*) from act_ru_execution"), s.n());
    if (m < s.n()) {
      figure("replies", "correlations/s, unthrottled, to journey end", (s.n() - m) / ((System.nanoTime() - t0) / 1e9), "replies/s", "", true);
    }
  }

  /** Calls {@code call} for every index in [from, to) from {@code threads} threads; returns the failures. */
  private static long parallel(int from, int to, int threads, java.util.function.IntFunction<HttpResponse<String>> call) {
    AtomicInteger next = new AtomicInteger(from);
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
          try {
            if (call.apply(i).statusCode() >= 300) {
              errors.incrementAndGet();
            }
          } catch (RuntimeException e) {
            errors.incrementAndGet();
          }
        }
      }));
    }
    awaitAll(futures);
    pool.shutdown();
    return errors.get();
  }

  private static void awaitAll(List<Future<?>> futures) {
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private void awaitCount(String phase, LongSupplier count, long target) {
    long deadline = System.nanoTime() + s.phaseTimeout().toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      last = count.getAsLong();
      if (last >= target) {
        return;
      }
      RelaisNode.sleep(100);
    }
    throw new IllegalStateException("Phase " + phase + " did not complete within " + s.phaseTimeout() + ": " + last + " of " + target
        + "\n" + node.tail());
  }

  static String contact(int i) {
    return "bench-" + i;
  }

  private void figure(String phase, String name, double value, String unit, String target, boolean ratio) {
    figures.put(name, new Figure(phase, name, value, unit, target, ratio));
  }

  private void print(double ceilingTps) {
    out.printf(Locale.ROOT, "%nRelais benchmark: N=%d, clients=%d, journey %s%n", s.n(), s.clients(), PROCESS_KEY);
    out.printf(Locale.ROOT, "%-12s | %-48s | %14s | %-10s | %-12s | %s%n", "phase", "figure", "value", "unit", "target", "÷ PG ceiling");
    out.println("-".repeat(120));
    for (Figure f : figures.values()) {
      String ratio = f.ratioToCeiling() && ceilingTps > 0 ? String.format(Locale.ROOT, "%.3f", f.value() / ceilingTps) : "";
      out.printf(Locale.ROOT, "%-12s | %-48s | %14.1f | %-10s | %-12s | %s%n", f.phase(), f.name(), f.value(), f.unit(), f.target(), ratio);
    }
    notes.forEach((k, v) -> out.println(k + ": " + v));
  }

  /** {@code bench/run.sh} entry point; see bench/README.md for the options. */
  public static void main(String[] args) throws Exception {
    Map<String, List<String>> a = parse(args);
    Settings d = Settings.defaults();
    Settings s = new Settings(
        intArg(a, "n", d.n()), intArg(a, "clients", d.clients()), intArg(a, "reply-rate", d.replyRate()),
        intArg(a, "reply-seconds", d.replySeconds()), intArg(a, "ceiling-seconds", d.ceilingSeconds()),
        Duration.ofMinutes(intArg(a, "phase-timeout-minutes", 60)), Path.of(arg(a, "bpmn", d.bpmn().toString())));
    String host = arg(a, "pg-host", "127.0.0.1");
    int port = intArg(a, "pg-port", 5432);
    String user = arg(a, "pg-user", "postgres");
    String password = arg(a, "pg-password", "");
    int httpPort = intArg(a, "port", 18080);
    Path log = Path.of(arg(a, "log", "target/bench/relais.log"));
    try (BenchDatabase db = BenchDatabase.create(host, port, user, password)) {
      RelaisNode node = a.containsKey("jar")
          ? RelaisNode.fromJar("bench", Path.of(arg(a, "jar", "")), httpPort, log)
          : RelaisNode.fromThisClasspath("bench", httpPort, log);
      node.database(db.url(), user, password).jvmOption("-Xmx" + arg(a, "xmx", "2g"));
      for (String kv : a.getOrDefault("relais-opt", List.of())) {
        int eq = kv.indexOf('=');
        node.property(kv.substring(0, eq), kv.substring(eq + 1));
      }
      System.out.println("Starting Relais (log: " + log + ") on database " + db.url());
      try (RelaisNode started = node.start(Duration.ofMinutes(5))) {
        new Benchmark(db, started, s, System.out).run();
      }
    }
  }

  private static Map<String, List<String>> parse(String[] args) {
    Map<String, List<String>> a = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("Expected --option value, got " + args[i]);
      }
      a.computeIfAbsent(args[i].substring(2), k -> new ArrayList<>()).add(args[++i]);
    }
    return a;
  }

  private static String arg(Map<String, List<String>> a, String name, String fallback) {
    List<String> v = a.get(name);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  private static int intArg(Map<String, List<String>> a, String name, int fallback) {
    return Integer.parseInt(arg(a, name, Integer.toString(fallback)).replace("_", "").replace(",", ""));
  }
}
