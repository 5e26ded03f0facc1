package io.relais.reliability;

import io.relais.bench.BenchDatabase;
import io.relais.bench.RelaisClient;
import io.relais.bench.RelaisNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Relais nodes (separate JVMs from the test class path) on one PostgreSQL database and one mock
 * Twilio/SendGrid, with the journey of {@code bench/processes/reliability-two-steps.bpmn}: what
 * every fault-injection scenario starts from.
 */
final class ReliabilityCluster implements AutoCloseable {

  static final String JOURNEY = "bench/processes/reliability-two-steps.bpmn";
  static final String START_MESSAGE = "ReliabilityStarted";
  static final String INTEGRATION_USER = "reliability";
  static final String INTEGRATION_PASSWORD = "reliability-secret-42";
  /**
   * Jobs a killed node had locked wait for their lock to expire before another node takes them:
   * 20 s here instead of the default 5 min, so that the suite stays short.
   */
  static final String LOCK_TIME_MILLIS = "20000";

  final BenchDatabase db;
  final MockProviders mock;
  private final Path logs;
  private final List<RelaisNode> nodes = new ArrayList<>();
  private RelaisClient integration;

  ReliabilityCluster(BenchDatabase db, MockProviders mock, Path logs) {
    this.db = db;
    this.mock = mock;
    this.logs = logs;
  }

  /** Starts one more node; the first one also gets the integration user and the journey. */
  RelaisNode startNode(String name) {
    return startNode(name, Map.of());
  }

  /** Starts one more node with these extra properties. */
  RelaisNode startNode(String name, Map<String, String> properties) {
    RelaisNode node = RelaisNode.fromThisClasspath(name, RelaisNode.freePort(), logs.resolve(name + ".log"))
        .database(db.url(), db.user(), db.password())
        .jvmOption("-Xmx512m")
        .jvmOption("-XX:TieredStopAtLevel=1")
        .property("camunda.bpm.job-execution.lock-time-in-millis", LOCK_TIME_MILLIS)
        // the shared test server has ~100 connections for every suite running on the machine: 4 job
        // threads need 2 x 4 + 4 inbound workers + 2 connections (ProductionSettingsGuard)
        .property("camunda.bpm.job-execution.core-pool-size", "4")
        .property("camunda.bpm.job-execution.max-pool-size", "4")
        .property("spring.datasource.hikari.maximum-pool-size", "14")
        .property("relais.sending-window.enabled", "false")
        .property("relais.frequency-caps.SMS", "100/P1D");
    mock.relaisProperties().forEach(node::property);
    properties.forEach(node::property);
    node.start(Duration.ofMinutes(4));
    nodes.add(node);
    if (integration == null) {
      RelaisClient admin = new RelaisClient(node.baseUrl(), "admin", RelaisNode.ADMIN_PASSWORD);
      admin.createUser(INTEGRATION_USER, INTEGRATION_PASSWORD, "integrations");
      admin.deploy(Path.of(JOURNEY));
      integration = admin.as(INTEGRATION_USER, INTEGRATION_PASSWORD);
    }
    return node;
  }

  /** The integration user's client on a given node (a load balancer would pick one). */
  RelaisClient on(RelaisNode node) {
    return new RelaisClient(node.baseUrl(), INTEGRATION_USER, INTEGRATION_PASSWORD);
  }

  static String phone(int i) {
    return String.format("+336%08d", 10_000_000 + i);
  }

  static String email(int i) {
    return "client" + i + "@reliability.relais.example";
  }

  static String contact(int i) {
    return "rel-" + i;
  }

  /** Contacts 0..n-1 with a phone and an email, through {@code PUT /api/contacts/{id}}. */
  void createContacts(RelaisNode node, int n) {
    RelaisClient client = on(node);
    for (int i = 0; i < n; i++) {
      var r = client.put("/api/contacts/" + contact(i), "{\"phone\":\"" + phone(i) + "\",\"email\":\"" + email(i) + "\"}");
      if (r.statusCode() >= 300) {
        throw new IllegalStateException("contact " + i + ": HTTP " + r.statusCode() + " " + r.body());
      }
    }
  }

  /** Starts the journey of contact i by message on the given node; true when Relais accepted it. */
  boolean startJourney(RelaisNode node, int i, String stepWait) {
    return startJourney(node, i, Map.of("stepWait", stepWait));
  }

  /** Starts the journey of contact i with these variables (stepWait, smsCategory). */
  boolean startJourney(RelaisNode node, int i, Map<String, String> variables) {
    try {
      var r = on(node).message(START_MESSAGE, contact(i), variables);
      if (r.statusCode() >= 300) {
        System.out.printf("start of journey %d refused by %s: HTTP %d %s%n", i, node.baseUrl(), r.statusCode(), r.body());
      }
      return r.statusCode() < 300;
    } catch (IllegalStateException e) {
      System.out.printf("start of journey %d not accepted by %s: %s%n", i, node.baseUrl(), e);
      return false; // connection refused or reset: not accepted, the caller would retry
    }
  }

  long runningJourneys() {
    return db.queryLong("select count(*) from act_ru_execution where parent_id_ is null and proc_def_id_ like 'RelaisReliabilityProcess:%'");
  }

  long finishedJourneys() {
    return db.queryLong("select count(*) from act_hi_procinst where proc_def_key_ = 'RelaisReliabilityProcess' and end_time_ is not null");
  }

  /** The jobs whose retries ran out: one root-cause incident each (the calling journey has one more, pointing at it). */
  List<String> failedJobIds() {
    List<String> ids = new ArrayList<>();
    try (java.sql.Connection c = db.connect();
        java.sql.ResultSet rs = c.createStatement().executeQuery(
            "select configuration_ from act_ru_incident where incident_type_ = 'failedJob' and id_ = root_cause_incident_id_")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return ids;
  }

  /** The jobs and outbound messages as they stand: the clues when an await runs out. */
  String state() {
    StringBuilder out = new StringBuilder();
    try (java.sql.Connection c = db.connect()) {
      for (String sql : List.of(
          // the count in a column of its own: PostgreSQL refuses an aggregate inside the grouped expression
          "select coalesce(j.handler_type_, '') || ' retries=' || j.retries_ || ' due=' || coalesce(cast(j.duedate_ as varchar), '-') "
              + "|| ' locked=' || coalesce(cast(j.lock_exp_time_ as varchar), '-') || ' ' || coalesce(substr(j.exception_msg_, 1, 80), ''), "
              + "count(*) from act_ru_job j group by 1 order by 1",
          "select channel || ' ' || status || ' ' || coalesce(reason, ''), count(*) from message group by 1 order by 1")) {
        try (java.sql.ResultSet rs = c.createStatement().executeQuery(sql)) {
          while (rs.next()) {
            out.append("\n  ").append(rs.getString(1)).append(" x").append(rs.getLong(2));
          }
        }
      }
    } catch (java.sql.SQLException e) {
      out.append(" (").append(e.getMessage()).append(')');
    }
    return out.toString();
  }

  long incidents() {
    return db.queryLong("select count(*) from act_ru_incident");
  }

  static void await(String what, Duration timeout, LongSupplier value, long target) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long last = -1;
    while (System.nanoTime() < deadline) {
      last = value.getAsLong();
      if (last >= target) {
        return;
      }
      sleep(250);
    }
    throw new AssertionError(what + ": " + last + " of " + target + " after " + timeout);
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    for (RelaisNode n : nodes) {
      n.kill();
    }
  }
}
