package io.relais.bench;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import io.relais.support.Autoanalyze;
import io.relais.support.PollPause;
import io.relais.support.TableCounters;

/**
 * Issue 10's benchmark: campaign launch, timer burst, replies, storage, memory, each figure set
 * against PostgreSQL's own ceiling measured in the same run. {@link #main} is what {@code
 * bench/run.sh} calls; {@link #run} is what the smoke test calls with a small N.
 */
public final class Benchmark {

  /** The journey measured: the product's {@code processes/abandoned-cart.bpmn}, deployed by Relais at start-up. */
  static final String PROCESS_KEY = "abandoned-cart";
  static final String START_MESSAGE = "CartAbandoned";
  static final String REPLY_MESSAGE = "CustomerReply";
  /** Its "not opened within cartEmailWait (24 h)" timer, the timer of the burst. */
  static final String EMAIL_TIMER = "Timer_CartEmailWait";
  /** The automated answer to a reply that is neither a question nor an escalation ("ok merci"). */
  static final String ANSWER_STEP = "Task_SendBotAnswer";
  static final String ORDER_TIMER = "Timer_OrderWait";
  /** Items per {@code POST /api/journeys/starts} request (the endpoint's maximum). */
  static final int BULK_SIZE = 1000;
  static final int IMPORT_SIZE = 5000;
  static final String INTEGRATION_USER = "benchintegration";
  static final String INTEGRATION_PASSWORD = "bench-integration-secret-42";
  /** The heap is probed at this many waiting journeys and again at N. */
  static final int HEAP_PROBE_AT = 10_000;
  /** The analytics projector's row in {@code analytics_watermark} ({@code MessageProjector.NAME}). */
  static final String PROJECTOR = "message-projector";
  /** Its overlap ({@code relais.analytics.projector-overlap}, PT2M by default). */
  static final Duration PROJECTOR_OVERLAP = Duration.ofMinutes(2);

  /** What to run; see bench/README.md for each option. */
  public record Settings(int n, int clients, int replyRate, int replySeconds, int ceilingSeconds, Duration phaseTimeout, boolean launchOnly,
      boolean contactsByCsv, boolean memoryOnly, boolean repliesThroughEngine, boolean settle, int replyWarmup, int warmupJourneys) {
    public static Settings defaults() {
      return new Settings(100_000, 8, 200, 30, 10, Duration.ofMinutes(60), false, false, false, false, true, 2000, 10_000);
    }

    public Settings(int n, int clients, int replyRate, int replySeconds, int ceilingSeconds, Duration phaseTimeout, boolean launchOnly,
        boolean contactsByCsv, boolean memoryOnly, boolean repliesThroughEngine) {
      this(n, clients, replyRate, replySeconds, ceilingSeconds, phaseTimeout, launchOnly, contactsByCsv, memoryOnly, repliesThroughEngine,
          true, 0, 0);
    }

    /**
     * The journeys of the warm-up round ({@code --warmup-journeys}): none when the journeys cannot
     * go past their start ({@code --memory-only} runs with the job executor off).
     */
    int warmupRound() {
      return memoryOnly ? 0 : Math.max(0, warmupJourneys);
    }

    /** The journeys whose replies warm the reply path up: at most a quarter of N, and never the measured ones. */
    int warmupReplies() {
      return Math.max(0, Math.min(replyWarmup, Math.min(n / 4, n - measuredReplies())));
    }

    /** The journeys that get a reply at the offered rate. */
    int measuredReplies() {
      return (int) Math.min(n, (long) replyRate * replySeconds);
    }

    public Settings(int n, int clients, int replyRate, int replySeconds, int ceilingSeconds, Duration phaseTimeout, boolean launchOnly,
        boolean contactsByCsv, boolean memoryOnly) {
      this(n, clients, replyRate, replySeconds, ceilingSeconds, phaseTimeout, launchOnly, contactsByCsv, memoryOnly, false);
    }

    public Settings(int n, int clients, int replyRate, int replySeconds, int ceilingSeconds, Duration phaseTimeout, boolean launchOnly,
        boolean contactsByCsv) {
      this(n, clients, replyRate, replySeconds, ceilingSeconds, phaseTimeout, launchOnly, contactsByCsv, false);
    }
  }

  /**
   * Settings every benchmark node gets on top of the production profile, so that the run measures
   * Relais and not the calendar or a provider's contract: marketing is sent at any hour (the
   * sending window would defer a run made at night), and the per-sender throughput limits (100
   * segments/s for a short code or the email sender, the provider's limit, enforced by Relais) are
   * lifted for the default senders.
   */
  public static final Map<String, String> NODE_PROPERTIES = Map.of(
      "relais.sending-window.enabled", "false",
      "relais.throughput.[bonjour@relais.example]", "1000000",
      "relais.throughput.[36180]", "1000000",
      "relais.throughput.[38180]", "1000000");

  /** One line of the table: a figure, its unit, and how it compares to the PostgreSQL ceiling. */
  public record Figure(String phase, String name, double value, String unit, String target, boolean ratioToCeiling) {}

  private final BenchDatabase db;
  private final RelaisNode node;
  private final Settings s;
  private final PrintStream out;
  private final Map<String, Figure> figures = new LinkedHashMap<>();
  private final Map<String, String> notes = new LinkedHashMap<>();
  /** The wall-clock span of each measured phase, to cut a profile (perf, JFR) to it. */
  private final Map<String, String> windows = new LinkedHashMap<>();
  private RelaisClient integration;
  private FormPoster webhook;
  /** Statements listed per phase when the server has pg_stat_statements. */
  static final int TOP_STATEMENTS = 12;

  /** How many statements each phase's statement profile lists ({@code --statements-top}). */
  private int topStatements = TOP_STATEMENTS;
  private long polls;
  private long pollNanos;

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
    integration = admin.as(INTEGRATION_USER, INTEGRATION_PASSWORD);
    importContacts();
    webhook = new FormPoster(node.baseUrl());
    try (Autoanalyze analyzer = Autoanalyze.start(db.url(), db.user(), db.password(), Duration.ofSeconds(10), out)) {
      long t0 = System.nanoTime();
      phases(admin, analyzer);
      notes.put("progress polls", String.format(Locale.ROOT, "%d counts, %.1f s of database time in %.0f s of phases (%.1f %% of one backend)",
          polls, pollNanos / 1e9, (System.nanoTime() - t0) / 1e9, 100.0 * pollNanos / (System.nanoTime() - t0)));
      notes.put("autovacuum", analyzer.active()
          ? "off on this server: the benchmark analyzed " + analyzer.analyzed() + " tables as autovacuum would have (checked every 10 s and before each phase)"
          : "on");
    }
    notes.put("server", db.queryString("select string_agg(name || ' ' || current_setting(name), ', ' order by name) from pg_settings "
        + "where name in ('server_version', 'shared_buffers', 'autovacuum', 'jit', 'max_wal_size', 'synchronous_commit', 'max_connections')"));
    BenchDatabase.Ceiling ceiling = db.ceiling(s.clients(), s.ceilingSeconds());
    figure("ceiling", "PostgreSQL single-row insert tx/s", ceiling.tps(), "tx/s", "", false);
    notes.put("ceiling", ceiling.tool());
    print(ceiling.tps());
    return figures;
  }

  private void phases(RelaisClient admin, Autoanalyze analyzer) {
    analyzer.now();
    warmUp();
    long runtime0 = db.bytesOfTables("act_ru_");
    long history0 = db.bytesOfTables("act_hi_");
    heapProbe(0, "");

    StatementProfile statements = StatementProfile.open(db);
    if (!statements.active()) {
      notes.put("statements", statements.unavailable());
    }
    long starts0 = db.bytesOfTables("journey_start");
    int first = launchForTheFirstHeapProbe();
    measured("launch", statements, true, () -> launch(first));
    heapAfterTheLaunch();
    long runtimeN = db.bytesOfTables("act_ru_");
    figure("storage", "runtime bytes per waiting journey", (runtimeN - runtime0) / (double) s.n(), "B", "<= 8192", false);
    notes.put("runtime rows per waiting journey", db.rowsPerTable("act_ru_", s.n()));
    figure("storage", "journey_start bytes per journey (bulk idempotency)", (db.bytesOfTables("journey_start") - starts0) / (double) s.n(), "B", "", false);

    if (!s.launchOnly() && !s.memoryOnly()) {
      settle("launch");
      analyzer.now();
      measured("timer burst", statements, true, () -> {
        timerBurst();
        return s.n();
      });
      settle("timer burst");
      warmUpReplies();
      settle("the replies' warm-up");
      analyzer.now();
      measured("replies", statements, false, this::replies);
      drain();
      long historyN = db.bytesOfTables("act_hi_");
      figure("storage", "history bytes per finished journey", (historyN - history0) / (double) s.n(), "B", "", false);
    }
    HttpResponse<String> cleanup = admin.get("/engine-rest/history/cleanup/configuration");
    String ttl = db.queryLong("select coalesce(max(history_ttl_), -1) from act_re_procdef where key_ = ?", PROCESS_KEY) + " days";
    notes.put("history", "time-to-live " + ttl + "; cleanup " + (cleanup.statusCode() == 200 ? cleanup.body() : "HTTP " + cleanup.statusCode()));
  }

  /**
   * Runs a phase ({@code run} returns how many journeys, or replies, it handled) and records what
   * it cost each: the database's commits and rows ({@code work}), the CPU of the node's JVM against
   * the database's backends, and the statement profile when the server has one.
   */
  private void measured(String phase, StatementProfile statements, boolean work, IntSupplier run) {
    TableCounters tablesBefore = work ? db.tableCounters() : null;
    BenchDatabase.Work before = db.work();
    BenchDatabase.Wal walBefore = db.wal();
    statements.reset();
    PhaseCpu cpu = PhaseCpu.sample(db, node.pid());
    Instant from = Instant.now();
    int handled = run.getAsInt();
    windows.put(phase, window(from, Instant.now()));
    if (work) {
      work(phase, db.work().minus(before));
    }
    PhaseCpu end = PhaseCpu.sample(db, node.pid());
    BenchDatabase.Wal walAfter = db.wal();
    if (work) {
      // after the CPU's reading: waiting for the table counters must not dilute the phase's figures
      TableCounters tables = db.tableCounters().minus(tablesBefore);
      figure(phase, phase + ": index entries written per journey", tables.indexEntries() / (double) handled, "", "", false);
      notes.put("rows and index entries, " + phase, tables.indexEntriesPer(handled, "journey"));
    }
    String unit = phase.equals("replies") ? "reply" : "journey";
    if (walBefore != null && walAfter != null) {
      BenchDatabase.Wal wal = walAfter.minus(walBefore);
      figure(phase, phase + ": WAL bytes (whole server)", wal.bytes() / (double) handled, "B/" + unit, "", false);
      figure(phase, phase + ": full-page images in the WAL", wal.fullPageImages() / (double) handled, "/" + unit, "", false);
      figure(phase, phase + ": checkpoints begun", wal.checkpoints(), "", "", false);
    }
    double[] ms = end.millisSince(cpu);
    double client = end.clientMillisSince(cpu);
    figure(phase, phase + ": CPU of the Relais JVM", ms[0] < 0 ? Double.NaN : ms[0] / handled, "ms/" + unit, "", false);
    double compiler = end.compilerMillisSince(cpu);
    figure(phase, phase + ": of which the JIT compiler", compiler < 0 ? Double.NaN : compiler / handled, "ms/" + unit, "", false);
    figure(phase, phase + ": CPU of PostgreSQL's backends", ms[1] < 0 ? Double.NaN : ms[1] / handled, "ms/" + unit, "", false);
    figure(phase, phase + ": CPU of the benchmark's client", client < 0 ? Double.NaN : client / handled, "ms/" + unit, "", false);
    figure(phase, phase + ": cores busy (whole machine)", end.busyCoresSince(cpu), "of " + end.machineCores(), "", false);
    if (statements.active()) {
      notes.put("statements, " + phase, statements.summary(handled, unit, topStatements));
    }
  }

  /** What a phase cost PostgreSQL per journey: commits and rows written (the database's share of the work). */
  private void work(String phase, BenchDatabase.Work w) {
    figure(phase, phase + ": commits per 100 journeys", 100.0 * w.commits() / s.n(), "", "", false);
    figure(phase, phase + ": rows inserted+updated+deleted per journey", (w.inserted() + w.updated() + w.deleted()) / (double) s.n(), "", "", false);
  }

  /**
   * Set-up, not measured against a target: N contacts with email and SMS marketing consent, by
   * CSV import ({@code --contacts csv}, the real path, ~100 contacts/s) or written straight into
   * the contact and consent tables (default: the launch is what is measured, not the import).
   */
  private void importContacts() {
    int contacts = s.n() + s.warmupRound();
    if (!s.contactsByCsv()) {
      long t0 = System.nanoTime();
      db.seedContacts("bench-", contacts);
      notes.put("set-up", String.format(Locale.ROOT, "%d contacts with email and SMS marketing consent written by SQL in %.0f s",
          contacts, (System.nanoTime() - t0) / 1e9));
      return;
    }
    long t0 = System.nanoTime();
    int requests = (contacts + IMPORT_SIZE - 1) / IMPORT_SIZE;
    long errors = parallel(0, requests, Math.min(s.clients(), 4), r -> {
      StringBuilder csv = new StringBuilder("id,phone,email,firstName,email_marketing,sms_marketing,consent_source,consent_collected_at\n");
      for (int i = r * IMPORT_SIZE; i < Math.min(contacts, (r + 1) * IMPORT_SIZE); i++) {
        csv.append(contact(i)).append(",+3367").append(String.format(Locale.ROOT, "%07d", i)).append(',').append(contact(i))
            .append("@bench.example,Camille,GRANTED,GRANTED,bench,2026-01-01T00:00:00Z\n");
      }
      return integration.postCsv("/api/contacts/import", csv.toString()).statusCode() == 200;
    });
    long imported = db.queryLong("select count(*) from contact where id like 'bench-%'");
    if (errors > 0 || imported < contacts) {
      throw new IllegalStateException("Contact import failed: " + imported + " of " + contacts + " contacts\n" + node.tail());
    }
    notes.put("set-up", String.format(Locale.ROOT, "%d contacts with email and SMS marketing consent imported (CSV) at %.0f contacts/s",
        imported, imported / ((System.nanoTime() - t0) / 1e9)));
  }

  /** Journeys waiting on a timer of this activity (timer jobs of its job definition). */
  private long timers(String activityId) {
    return db.queryLong("select count(*) from act_ru_job j join act_ru_jobdef d on d.id_ = j.job_def_id_ "
        + "where d.act_id_ = ? and d.proc_def_key_ = ?", activityId, PROCESS_KEY);
  }

  /** Messages of this channel handed to the simulator since the warm-up round. */
  private long outbound(String channel) {
    return outboundAll(channel) - warmedOutbound.getOrDefault(channel, 0L);
  }

  private long outboundAll(String channel) {
    return db.queryLong("select count(*) from message where direction = 'OUT' and channel = ? and status = 'DELIVERED'", channel);
  }

  /** Journeys of the warm-up round, all ended (0 until it is over): the measured round's counts start above them. */
  private long warmedJourneys;
  /** Messages per channel the warm-up round handed to the simulator. */
  private final Map<String, Long> warmedOutbound = new HashMap<>();

  /**
   * The warm-up round ({@code --warmup-journeys W}, default 10,000; 0 for none). W more journeys,
   * of the contacts bench-N … bench-(N+W-1), go the whole way the measured ones go, before
   * anything is measured: started through the bulk path, their email timers due at once, a reply
   * each, their order wait due, ended. A node in production has run these paths for hours; one
   * just started has not, and its JIT compiler is still compiling them while the phases run (the
   * C2 compiler thread had 8–17 % of the machine's samples throughout a run of N = 10,000 without
   * this round, perf, 1 Dec). Not measured; its duration is noted. The measured round's counts
   * start above the warm-up's; storage and heap are read after it, from what the measured round
   * adds, once the runtime tables are compacted (so that the rows the warm-up deleted leave no
   * free space for the measured journeys to fill unseen).
   */
  private void warmUp() {
    int w = s.warmupRound();
    if (w == 0) {
      notes.put("warm-up round", "none (--warmup-journeys 0" + (s.memoryOnly() ? " or --memory-only" : "")
          + "): the phases are measured on a node just started, its JIT compiler still compiling the code they run");
      return;
    }
    long t0 = System.nanoTime();
    PhaseCpu cpu = PhaseCpu.sample(db, node.pid());
    int from = s.n();
    int to = s.n() + w;
    Timed started = startJourneys(from, to, w);
    dueNow(EMAIL_TIMER);
    awaitCount("warm-up: timers", this::waitingForReply, w);
    long failed = started.errors + parallel(from, to, s.clients(), i -> reply(i) < 300);
    if (failed > 0) {
      throw new IllegalStateException("Warm-up round: " + failed + " failed requests\n" + node.tail());
    }
    awaitCount("warm-up: replies", this::answeredAll, w);
    endJourneys("warm-up: ", w, w);
    settle("the warm-up round");
    db.compact("act_ru_");
    warmedJourneys = w;
    for (String channel : new String[] {"EMAIL", "SMS"}) {
      warmedOutbound.put(channel, outboundAll(channel));
    }
    retries.set(0);
    PhaseCpu end = PhaseCpu.sample(db, node.pid());
    notes.put("warm-up round", String.format(Locale.ROOT,
        "%d journeys (contacts bench-%d..bench-%d) launched, timers due, replied to and ended in %.1f s before the measured phases;"
            + " the JIT compiler used %.1f s of CPU meanwhile; not measured (--warmup-journeys 0: none)",
        w, from, to - 1, (System.nanoTime() - t0) / 1e9, end.compilerMillisSince(cpu) / 1000));
  }

  /**
   * When N is above {@link #HEAP_PROBE_AT}: the first 10,000 journeys are launched before the
   * measured launch, and the heap is probed at 10,000 waiting journeys (once the analytics
   * projector has let go of their emails, unless {@code --memory-only}, which sends nothing), so
   * that neither the wait nor the probe falls within the launch's time, CPU and database work.
   * Returns the journeys launched.
   */
  private int launchForTheFirstHeapProbe() {
    if (s.n() <= HEAP_PROBE_AT) {
      return 0;
    }
    startJourneys(0, HEAP_PROBE_AT, HEAP_PROBE_AT);
    if (!s.memoryOnly()) {
      awaitProjectorRest();
    }
    heapProbe(HEAP_PROBE_AT, "");
    return HEAP_PROBE_AT;
  }

  /**
   * Phase 1: the CartAbandoned journeys of contacts [from, N) started through {@code POST
   * /api/journeys/starts} (1,000 per request, {@code --clients} requests at once), until each has
   * handed its cart email to the simulator and waits for it to be opened. Returns how many.
   */
  private int launch(int from) {
    int journeys = s.n() - from;
    Timed t = startJourneys(from, s.n(), s.n());
    if (s.memoryOnly()) {
      figure("launch", "journeys/s started (bulk requests answered)", journeys / (t.acceptNanos / 1e9), "journeys/s", "", true);
      figure("launch", "failed start requests", t.errors, "", "0", false);
      figure("launch", "bulk requests repeated after a time-out", retries.get(), "", "", false);
      figure("launch", "journeys started", db.queryLong("select count(*) from journey_start"), "", String.valueOf(s.n()), false);
      return journeys;
    }
    figure("launch", "journeys/s to the first email sent", journeys / (t.nanos / 1e9), "journeys/s", ">= 1000", true);
    figure("launch", "journeys/s started (bulk requests answered)", journeys / (t.acceptNanos / 1e9), "journeys/s", "", true);
    figure("launch", "failed start requests", t.errors, "", "0", false);
    figure("launch", "bulk requests repeated after a time-out", retries.get(), "", "", false);
    figure("launch", "cart emails handed to the simulator", outbound("EMAIL"), "", String.valueOf(s.n()), false);
    return journeys;
  }

  /** The heap at N waiting journeys, after the launch: see {@link #launchForTheFirstHeapProbe}. */
  private void heapAfterTheLaunch() {
    if (s.memoryOnly()) {
      notes.put("memory", "--memory-only: journeys started and left waiting before their first email (run with the job executor off)");
    }
    if (s.n() <= HEAP_PROBE_AT) {
      heapProbe(s.n(), ""); // nothing to compare with: flat is asked from 10,000 waiting journeys up
      return;
    }
    if (s.memoryOnly()) {
      heapProbe(s.n(), "flat +-10 %");
      return;
    }
    heapProbe(s.n() + " waiting journeys, right after their emails", "");
    double waited = awaitProjectorRest();
    heapProbe(s.n(), "flat +-10 %");
    notes.put("memory", String.format(Locale.ROOT, "the heap at %d and at %d waiting journeys is read once the analytics projector has let"
        + " go of the row versions of the messages sent in its overlap (2 min; %.0f s waited after the launch): the figure 'right after"
        + " their emails' holds them too (at most 200,000 versions, MessageProjector); the launch's figures are those of journeys %d..%d",
        HEAP_PROBE_AT, s.n(), waited, HEAP_PROBE_AT, s.n() - 1));
  }

  /**
   * Waits until the analytics projector holds no row version of the messages written so far: it
   * remembers a row's version while the row is within its overlap (2 minutes) behind the
   * watermark, which follows the clock once no message is newer. So the watermark must pass the
   * newest message by the overlap, and one more pass must begin (it forgets at its start). A heap
   * probe then measures the waiting journeys, not the last two minutes' sends. Returns the seconds
   * waited.
   */
  private double awaitProjectorRest() {
    long t0 = System.nanoTime();
    long newest = newestMessageMillis();
    long[] beyond = {0};
    awaitCount("analytics projector at rest", () -> {
      long position = projectorWatermarkMillis();
      if (beyond[0] == 0 && position > newest + PROJECTOR_OVERLAP.toMillis()) {
        beyond[0] = position;
      }
      return beyond[0] != 0 && position > beyond[0] ? 1 : 0;
    }, 1);
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The heap at this many waiting journeys: used after a full GC, and the live objects' bytes. */
  private void heapProbe(int journeys, String target) {
    heapProbe(journeys + " waiting journeys", target);
  }

  private void heapProbe(String when, String target) {
    RelaisNode.HeapProbe heap = node.heapAfterGc(when.replace(" waiting journeys", "").replaceAll("[^0-9a-z]+", "-"));
    figure("memory", "heap after GC, " + when, heap.usedAfterGc() / 1e6, "MB", target, false);
    figure("memory", "live objects (class histogram), " + when, heap.liveObjects() / 1e6, "MB", target, false);
  }

  private record Timed(long nanos, long acceptNanos, long errors) {}

  private final AtomicLong retries = new AtomicLong();

  /** Starts the journeys of contacts [from, to) and waits until {@code waiting} journeys wait for their email to be opened. */
  private Timed startJourneys(int from, int to, int waiting) {
    long t0 = System.nanoTime();
    String requestKey = (from >= s.n() ? "bench-warmup-" : "bench-launch-") + from;
    int requests = (to - from + BULK_SIZE - 1) / BULK_SIZE;
    long errors = parallel(0, requests, s.clients(), r -> {
      StringBuilder items = new StringBuilder();
      for (int i = from + r * BULK_SIZE; i < Math.min(to, from + (r + 1) * BULK_SIZE); i++) {
        items.append(items.isEmpty() ? "" : ",").append("{\"contactId\":\"").append(contact(i))
            .append("\",\"variables\":{\"cartUrl\":\"https://shop.example/cart/").append(i).append("\"}}");
      }
      String body = "{\"message\":\"" + START_MESSAGE + "\",\"requestKey\":\"" + requestKey + "\",\"items\":[" + items + "]}";
      HttpResponse<String> response = null;
      // A time-out is retried with the same request key: the items started the first time are reported ALREADY_STARTED.
      for (int attempt = 1; response == null; attempt++) {
        try {
          response = integration.post("/api/journeys/starts", body, Duration.ofMinutes(5));
        } catch (RuntimeException e) {
          retries.incrementAndGet();
          if (attempt == 3) {
            throw e;
          }
        }
      }
      boolean ok = response.statusCode() == 200 && response.body().contains("\"failed\":0") && response.body().contains("\"unknownContacts\":0");
      if (!ok) {
        System.err.println("Bulk start not fully started: HTTP " + response.statusCode() + " " + response.body().substring(0, Math.min(500, response.body().length())));
      }
      return ok;
    });
    long accepted = System.nanoTime() - t0;
    if (!s.memoryOnly()) {
      awaitCount("launch", () -> timers(EMAIL_TIMER), waiting);
    }
    return new Timed(System.nanoTime() - t0, accepted, errors);
  }

  /**
   * Phase 2: every "not opened within 24 h" timer falls due at once, by setting its due date in
   * {@code ACT_RU_JOB} to a second ago (what the clock does a day after the launch); SMS handed to
   * the simulator per second until every journey waits for a reply.
   */
  private void timerBurst() {
    long t0 = System.nanoTime();
    Timestamp due = new Timestamp(System.currentTimeMillis());
    int moved = dueNow(EMAIL_TIMER);
    awaitCount("timer burst", this::waitingForReply, moved);
    figure("timer burst", "SMS sent/s until the backlog is gone", moved / ((System.nanoTime() - t0) / 1e9), "sends/s", ">= 1000", true);
    figure("timer burst", "cart SMS handed to the simulator", outbound("SMS"), "", String.valueOf(s.n()), false);
    // The figure above counts from the moment the timers fell due. An idle node finds them at its
    // next acquisition, up to the job executor's idle wait later (camunda.bpm.job-execution.max-wait,
    // 1 s; 5 s before 4 Dec, up to a third of a phase of N = 10,000, varying from run to run). These
    // two split it out: when the first SMS was written, and the rate from the first SMS to the last.
    BenchDatabase.Sent sms = db.sentSince("SMS", due);
    figure("timer burst", "first SMS written after the timers fell due", sms.firstMs(), "ms", "", false);
    if (sms.count() > 1 && sms.lastMs() > sms.firstMs()) {
      figure("timer burst", "SMS sent/s from the first SMS to the last", (sms.count() - 1) / ((sms.lastMs() - sms.firstMs()) / 1e3), "sends/s", "", true);
    }
  }

  private int dueNow(String timer) {
    return db.update("update act_ru_job set duedate_ = ? where job_def_id_ in (select id_ from act_ru_jobdef where act_id_ = ? and proc_def_key_ = ?)",
        new Timestamp(System.currentTimeMillis() - 1000), timer, PROCESS_KEY);
  }

  /**
   * The customer's "ok merci": by default as Twilio delivers it, to the inbound webhook (stored,
   * acknowledged, then classified and correlated to the journey by the inbound pipeline); with
   * {@code --replies engine} as a backend would correlate it, {@code POST /engine-rest/message}.
   */
  private int reply(int i) {
    if (s.repliesThroughEngine()) {
      return integration.message(REPLY_MESSAGE, contact(i),
          Map.of("replyText", "ok merci", "replyChannel", "SMS", "replyMessageId", "SMbench" + i)).statusCode();
    }
    String form = "MessageSid=SMbench" + i + "&AccountSid=ACbench&NumMedia=0&Body=ok+merci"
        + "&From=" + URLEncoder.encode(phone(i), StandardCharsets.UTF_8)
        + "&To=" + URLEncoder.encode(smsSender(), StandardCharsets.UTF_8);
    // blocking, on kept-alive connections: the JDK's HttpClient cost 1.4-1.5 ms of CPU per reply
    // on the node's own cores (FormPoster)
    return webhook.post("/webhooks/twilio/messages", form);
  }

  private volatile String smsSender;

  /** The number the cart SMS came from, which the customer answers. */
  private String smsSender() {
    if (smsSender == null) {
      smsSender = db.queryString("select from_address from message where direction = 'OUT' and channel = 'SMS' "
          + "and from_address is not null fetch first 1 rows only");
    }
    return smsSender;
  }

  /**
   * Phase 3: replies ("ok merci") at a fixed rate (open loop) through the Twilio webhook (or
   * {@code POST /engine-rest/message}, see {@link #reply}); latency from the request to the end of the journey's
   * automated answer step (its SMS handed to the simulator). Returns the number of replies sent.
   */
  private int replies() {
    int w = s.warmupReplies();
    int m = s.measuredReplies();
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
        if (reply(w + idx) >= 300) {
          errors.incrementAndGet();
        }
        acceptMicros[idx] = (System.nanoTime() - t) / 1000;
      }));
    }
    awaitAll(futures);
    pool.shutdown();
    long offered = System.nanoTime() - start;
    awaitCount("replies", this::answered, w + m);

    Map<String, Long> answeredAt = answerTimes();
    long[] latencies = new long[m];
    long last = 0;
    for (int i = 0; i < m; i++) {
      long end = answeredAt.getOrDefault(contact(w + i), -1L);
      latencies[i] = end < 0 ? Long.MAX_VALUE : end - sentAt[i];
      last = Math.max(last, end);
    }
    notes.put("replies by 10 s of the window", byWindow(sentAt, latencies));
    Arrays.sort(latencies);
    Arrays.sort(acceptMicros);
    figure("replies", "offered rate", m / (offered / 1e9), "replies/s", "200", false);
    figure("replies", "answered/s (reply to answer sent)", m / ((last - sentAt[0]) / 1000.0), "replies/s", ">= 200", true);
    figure("replies", "p50 reply to answer", latencies[m / 2], "ms", "", false);
    figure("replies", "p99 reply to answer", p99(latencies), "ms", "<= 250", false);
    figure("replies", "p99 HTTP accept", p99(acceptMicros) / 1000.0, "ms", "", false);
    figure("replies", "failed reply requests / unanswered", errors.get() + Arrays.stream(latencies).filter(l -> l == Long.MAX_VALUE).count(), "", "0", false);
    return m;
  }

  /**
   * The replies' p50 / p99 / max (ms) for each 10 s of the window in which they were sent, e.g.
   * "0-10 s 8/40/95": whether a p99 comes from a steady backlog or from a few seconds of it.
   */
  static String byWindow(long[] sentAt, long[] latencies) {
    StringBuilder out = new StringBuilder("p50/p99/max ms of the replies sent in each 10 s:");
    int i = 0;
    while (i < sentAt.length) {
      long window = (sentAt[i] - sentAt[0]) / 10_000;
      int j = i;
      while (j < sentAt.length && (sentAt[j] - sentAt[0]) / 10_000 == window) {
        j++;
      }
      long[] part = Arrays.copyOfRange(latencies, i, j);
      Arrays.sort(part);
      out.append(String.format(Locale.ROOT, " %d-%d s %s/%s/%s;", window * 10, window * 10 + 10, ms(part[part.length / 2]),
          ms(p99(part)), ms(part[part.length - 1])));
      i = j;
    }
    return out.toString();
  }

  /** The 99th percentile of sorted values (nearest rank). */
  private static long p99(long[] sorted) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * 0.99) - 1)];
  }

  private static String ms(long latency) {
    return latency == Long.MAX_VALUE ? "unanswered" : Long.toString(latency);
  }

  /**
   * The first {@code --reply-warmup} journeys (default 2,000, at most N/4) get their reply before the
   * measured ones, as fast as the clients go, and the run waits for their answers: the JIT compiles
   * the reply path during its first thousands of replies (26 ms of JVM CPU per reply after 250,
   * 17 ms after 4,000, InboundBenchmarkTest), and a measured window that starts cold builds a backlog
   * it then drains for the rest of the window (p50 80 ms in one run, 900–1,800 ms in the next, same
   * code, 30 Nov). Not measured; its count and duration are noted.
   */
  private void warmUpReplies() {
    int w = s.warmupReplies();
    if (w == 0) {
      return;
    }
    long t0 = System.nanoTime();
    long failed = parallel(0, w, s.clients(), i -> reply(i) < 300);
    awaitCount("replies' warm-up", this::answered, w);
    notes.put("replies' warm-up", String.format(Locale.ROOT, "%d replies (journeys 0..%d), %d failed, answered in %.1f s; not measured",
        w, w - 1, failed, (System.nanoTime() - t0) / 1e9));
  }

  /** Journeys of the measured round that sent their automated answer. */
  private long answered() {
    return answeredAll() - warmedJourneys;
  }

  private long answeredAll() {
    return db.queryLong("select count(*) from act_hi_actinst where act_id_ = ? and end_time_ is not null", ANSWER_STEP);
  }

  /** Journeys waiting for the customer's reply (after their cart SMS). */
  private long waitingForReply() {
    return db.queryLong("select count(*) from act_ru_event_subscr where event_name_ = ?", REPLY_MESSAGE);
  }

  private long ended() {
    return db.queryLong("select count(*) from act_hi_procinst where proc_def_key_ = ? and end_time_ is not null", PROCESS_KEY);
  }

  private Map<String, Long> answerTimes() {
    Map<String, Long> times = new HashMap<>();
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(
            "select p.business_key_, a.end_time_ from act_hi_actinst a join act_hi_procinst p on p.id_ = a.proc_inst_id_ "
                + "where a.act_id_ = ? and a.end_time_ is not null")) {
      ps.setString(1, ANSWER_STEP);
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

  /**
   * The journeys nobody replied to get their reply now, as fast as the clients go (correlations/s
   * to the answer sent); then every journey's 7-day order wait falls due and the journeys end, so
   * that history holds N finished journeys.
   */
  private void drain() {
    int from = s.warmupReplies() + s.measuredReplies();
    long t0 = System.nanoTime();
    if (from < s.n()) {
      parallel(from, s.n(), s.clients(), i -> reply(i) < 300);
    }
    awaitCount("drain", this::answered, s.n());
    if (from < s.n()) {
      figure("replies", "replies/s, unthrottled, to the answer sent", (s.n() - from) / ((System.nanoTime() - t0) / 1e9), "replies/s", "", true);
    }
    endJourneys("", s.n(), warmedJourneys + s.n());
  }

  /**
   * Once {@code waiting} journeys wait for an order, sets their 7-day wait due and waits until
   * {@code ended} journeys have ended, so that history holds them finished.
   */
  private void endJourneys(String phase, int waiting, long ended) {
    awaitCount(phase + "order wait", () -> timers(ORDER_TIMER), waiting);
    dueNow(ORDER_TIMER);
    awaitCount(phase + "journey end", this::ended, ended);
  }

  /** Calls {@code call} for every index in [from, to) from {@code threads} threads; returns the failures. */
  private static long parallel(int from, int to, int threads, java.util.function.IntPredicate call) {
    AtomicInteger next = new AtomicInteger(from);
    AtomicLong errors = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      futures.add(pool.submit(() -> {
        for (int i = next.getAndIncrement(); i < to; i = next.getAndIncrement()) {
          try {
            if (!call.test(i)) {
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

  /**
   * Waits, unless {@code --settle false}, until the work a phase left behind is done, so that the
   * next phase measures itself: the analytics projector (every 10 s, two engagement events per
   * SMS of a burst) has read every message written so far, and no inbound message or outbox row is
   * waiting. Notes how long that took (0–10 s on 30 Nov: the projector kept up, so its backlog was
   * not what made the replies' figures vary; a cold reply path was, see {@link #warmUpReplies}).
   */
  private void settle(String after) {
    if (!s.settle()) {
      return;
    }
    long t0 = System.nanoTime();
    long written = newestMessageMillis();
    awaitCount("settle after " + after, () -> {
      long projected = projectorWatermarkMillis();
      long pending = db.queryLong("select (select count(*) from inbound_queue) + (select count(*) from message_outbox)");
      return projected >= written && pending == 0 ? 1 : 0;
    }, 1);
    notes.put("settled after " + after, String.format(Locale.ROOT,
        "%.1f s until the analytics projector had read every message and no inbound or outbox row waited (--settle false: no wait)",
        (System.nanoTime() - t0) / 1e9));
  }

  /** The newest {@code updated_at} of the message table, in epoch milliseconds (0 when empty). */
  private long newestMessageMillis() {
    return db.queryLong("select coalesce(floor(extract(epoch from max(updated_at)) * 1000), 0) from message");
  }

  /** The analytics projector's watermark, in epoch milliseconds (0 before its first pass). */
  private long projectorWatermarkMillis() {
    return db.queryLong("select coalesce(floor(extract(epoch from max(position)) * 1000), 0) from analytics_watermark where name = ?",
        PROJECTOR);
  }

  /** Polls {@code count} until it reaches {@code target}, pausing as {@link PollPause} says; counts the polls' time. */
  private void awaitCount(String phase, LongSupplier count, long target) {
    long deadline = System.nanoTime() + s.phaseTimeout().toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      long t0 = System.nanoTime();
      last = count.getAsLong();
      long took = System.nanoTime() - t0;
      polls++;
      pollNanos += took;
      if (last >= target) {
        return;
      }
      RelaisNode.sleep(PollPause.after(took, 100));
    }
    throw new IllegalStateException("Phase " + phase + " did not complete within " + s.phaseTimeout() + ": " + last + " of " + target
        + "\n" + node.tail());
  }

  static String contact(int i) {
    return "bench-" + i;
  }

  /** Contact i's mobile, as both set-up paths write it. */
  static String phone(int i) {
    return "+3367" + String.format(Locale.ROOT, "%07d", i);
  }

  private void figure(String phase, String name, double value, String unit, String target, boolean ratio) {
    figures.put(name, new Figure(phase, name, value, unit, target, ratio));
  }

  private void print(double ceilingTps) {
    out.printf(Locale.ROOT, "%nRelais benchmark: N=%d, clients=%d, journey %s started by %s through POST /api/journeys/starts (%d per request)%n",
        s.n(), s.clients(), PROCESS_KEY, START_MESSAGE, BULK_SIZE);
    out.printf(Locale.ROOT, "%-12s | %-52s | %14s | %-10s | %-12s | %s%n", "phase", "figure", "value", "unit", "target", "÷ PG ceiling");
    out.println("-".repeat(120));
    for (Figure f : figures.values()) {
      String ratio = f.ratioToCeiling() && ceilingTps > 0 ? String.format(Locale.ROOT, "%.3f", f.value() / ceilingTps) : "";
      out.printf(Locale.ROOT, "%-12s | %-52s | %14.1f | %-10s | %-12s | %s%n", f.phase(), f.name(), f.value(), f.unit(), f.target(), ratio);
    }
    notes.forEach((k, v) -> out.println(k + ": " + v));
    windows.forEach((phase, span) -> out.println("window, " + phase + ": " + span));
  }

  /**
   * A phase's span in UTC and in epoch seconds: what {@code perf report --time} (a recording made
   * with {@code -k CLOCK_REALTIME}) and {@code bench/jfr-top.py --window} take to keep only that
   * phase's samples.
   */
  static String window(Instant from, Instant to) {
    return String.format(Locale.ROOT, "%s to %s (epoch seconds %d.%03d,%d.%03d)", from.truncatedTo(ChronoUnit.MILLIS), to.truncatedTo(ChronoUnit.MILLIS),
        from.getEpochSecond(), from.getNano() / 1_000_000, to.getEpochSecond(), to.getNano() / 1_000_000);
  }

  /** {@code bench/run.sh} entry point; see bench/README.md for the options. */
  public static void main(String[] args) throws Exception {
    Map<String, List<String>> a = parse(args);
    Settings d = Settings.defaults();
    Settings s = new Settings(
        intArg(a, "n", d.n()), intArg(a, "clients", d.clients()), intArg(a, "reply-rate", d.replyRate()),
        intArg(a, "reply-seconds", d.replySeconds()), intArg(a, "ceiling-seconds", d.ceilingSeconds()),
        Duration.ofMinutes(intArg(a, "phase-timeout-minutes", 60)), Boolean.parseBoolean(arg(a, "launch-only", "false")),
        arg(a, "contacts", "sql").equals("csv"), Boolean.parseBoolean(arg(a, "memory-only", "false")),
        arg(a, "replies", "webhook").equals("engine"), Boolean.parseBoolean(arg(a, "settle", "true")),
        intArg(a, "reply-warmup", d.replyWarmup()), intArg(a, "warmup-journeys", d.warmupJourneys()));
    boolean ownServer = Boolean.parseBoolean(arg(a, "pg-start", "false"));
    if (!ownServer && a.containsKey("pg-conf")) {
      throw new IllegalArgumentException("--pg-conf sets the benchmark's own server: it needs --pg-start true");
    }
    if (ownServer && (a.containsKey("pg-host") || a.containsKey("pg-user") || a.containsKey("pg-password"))) {
      throw new IllegalArgumentException("--pg-start true runs a server of its own on 127.0.0.1: no --pg-host, --pg-user or --pg-password");
    }
    String host = arg(a, "pg-host", "127.0.0.1");
    int port = intArg(a, "pg-port", ownServer ? 5433 : 5432);
    String user = arg(a, "pg-user", "postgres");
    String password = arg(a, "pg-password", "");
    int httpPort = intArg(a, "port", 18080);
    Path log = Path.of(arg(a, "log", "target/bench/relais.log"));
    try (BenchServer server = ownServer ? BenchServer.start(port, BenchServer.machineBytes(), a.getOrDefault("pg-conf", List.of()), System.out) : null;
        BenchDatabase db = BenchDatabase.create(host, port, user, password)) {
      RelaisNode node = a.containsKey("jar")
          ? RelaisNode.fromJar("bench", Path.of(arg(a, "jar", "")), httpPort, log)
          : RelaisNode.fromThisClasspath("bench", httpPort, log);
      node.database(db.url(), user, password).jvmOption("-Xmx" + arg(a, "xmx", "2g")).jvmOption(gcOption(arg(a, "gc", "parallel")));
      NODE_PROPERTIES.forEach(node::property);
      for (String opt : a.getOrDefault("jvm-opt", List.of())) {
        node.jvmOption(opt);
      }
      for (String kv : a.getOrDefault("relais-opt", List.of())) {
        int eq = kv.indexOf('=');
        node.property(kv.substring(0, eq), kv.substring(eq + 1));
      }
      System.out.println("Starting Relais (log: " + log + ") on database " + db.url());
      try (RelaisNode started = node.start(Duration.ofMinutes(5))) {
        Benchmark bench = new Benchmark(db, started, s, System.out);
        bench.topStatements = intArg(a, "statements-top", TOP_STATEMENTS);
        bench.run();
      }
    }
  }

  /**
   * The node's garbage collector: the parallel collector by default, as in production (docker/Dockerfile:
   * 11–21 % less JVM CPU per journey than G1 in the launch and the burst, docs/performance.md, 30 Nov).
   */
  static String gcOption(String gc) {
    return switch (gc) {
      case "parallel" -> "-XX:+UseParallelGC";
      case "g1" -> "-XX:+UseG1GC";
      case "serial" -> "-XX:+UseSerialGC";
      default -> throw new IllegalArgumentException("--gc must be parallel, g1 or serial, not " + gc);
    };
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
