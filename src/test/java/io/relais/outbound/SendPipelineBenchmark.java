package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.support.PostgresDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Sends per second through the whole pipeline (policy, render, record, simulator) on PostgreSQL.
 * Not a test: run with {@code ./mvnw -o test -Dtest=SendPipelineBenchmark -Dsurefire.excludedGroups= -Dgroups=benchmark}.
 */
@Tag("benchmark")
class SendPipelineBenchmark {

  static final int THREADS = 8;
  static final int SENDS = 40_000;
  /** Nanoseconds of CPU the sending threads used (the machine is shared: wall clock alone misleads). */
  static final java.util.concurrent.atomic.AtomicLong CPU = new java.util.concurrent.atomic.AtomicLong();

  @Test
  void sendsPerSecondOnPostgres() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      try (HikariDataSource hikari = db.pool(THREADS * 2)) {
        javax.sql.DataSource ds = counting(hikari);
        OutboundFixture f = new OutboundFixture(ds);
        f.phoneProvider = new SimulatorProvider();
        f.props = new OutboundProperties(null, null, Map.of(Channel.SMS, "1000/P1D", Channel.EMAIL, "1000/P1D"), null, null, null, null, null, null);
        CompliantSendPipeline pipeline = f.pipeline();
        List<Contact> contacts = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
          contacts.add(f.optedIn(Channel.SMS, Channel.EMAIL));
        }
        run(pipeline, contacts, 2_000, "warm-up");
        CPU.set(0);
        STATEMENTS.set(0);
        COMMITS.set(0);
        double perSecond = run(pipeline, contacts, SENDS, "measure");
        double cpuMicrosPerSend = CPU.get() / 1_000.0 / SENDS;
        System.out.printf("SendPipelineBenchmark: %d sends, %d threads, PostgreSQL: %.0f sends/s wall clock; "
                + "application CPU %.0f µs per send (%.0f sends/s per core of JVM CPU, database CPU not included); "
                + "%.2f SQL statements + %.2f commits per send (round trips, independent of load); load average %.1f%n",
            SENDS, THREADS, perSecond, cpuMicrosPerSend, 1_000_000 / cpuMicrosPerSend,
            STATEMENTS.get() / (double) SENDS, COMMITS.get() / (double) SENDS,
            java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        assertThat(perSecond).isPositive();
      }
    }
  }

  static final java.util.concurrent.atomic.AtomicLong STATEMENTS = new java.util.concurrent.atomic.AtomicLong();
  static final java.util.concurrent.atomic.AtomicLong COMMITS = new java.util.concurrent.atomic.AtomicLong();

  /** The pool, counting the statements executed and the commits made through it (each one database round trip). */
  static javax.sql.DataSource counting(javax.sql.DataSource pool) {
    return (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(SendPipelineBenchmark.class.getClassLoader(),
        new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
          Object result = invoke(pool, method, args);
          if (result instanceof java.sql.Connection c) {
            return countingConnection(c);
          }
          return result;
        });
  }

  private static java.sql.Connection countingConnection(java.sql.Connection c) {
    return (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(SendPipelineBenchmark.class.getClassLoader(),
        new Class<?>[] {java.sql.Connection.class}, (proxy, method, args) -> {
          switch (method.getName()) {
            case "commit" -> COMMITS.incrementAndGet();
            case "setSavepoint", "releaseSavepoint", "rollback" -> STATEMENTS.incrementAndGet();
            default -> { }
          }
          Object result = invoke(c, method, args);
          if (result instanceof java.sql.PreparedStatement ps) {
            return java.lang.reflect.Proxy.newProxyInstance(SendPipelineBenchmark.class.getClassLoader(),
                new Class<?>[] {java.sql.PreparedStatement.class}, (p, m, a) -> {
                  if (m.getName().startsWith("execute")) {
                    STATEMENTS.incrementAndGet();
                  }
                  return invoke(ps, m, a);
                });
          }
          return result;
        });
  }

  private static Object invoke(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static double run(CompliantSendPipeline pipeline, List<Contact> contacts, int sends, String label) throws Exception {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger sent = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    long start = System.nanoTime();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      futures.add(pool.submit(() -> {
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        for (int i = next.getAndIncrement(); i < sends; i = next.getAndIncrement()) {
          Contact c = contacts.get(i % contacts.size());
          MessageCategory category = i % 2 == 0 ? MessageCategory.MARKETING : MessageCategory.TRANSACTIONAL;
          Channel channel = i % 10 == 0 ? Channel.EMAIL : Channel.SMS;
          SendResult r = pipeline.send(new SendRequest(label + "-" + i, c.id(), channel, category,
              "Bonjour {{firstName}}, -20% sur https://shop.example.fr/promo jusqu'à dimanche", "Soldes", Map.of(), null, false,
              new JourneyStep("pi-" + i, "bench", 1, "Call_Send"), null));
          if (r.outcome() == SendOutcome.SENT) {
            sent.incrementAndGet();
          }
        }
        CPU.addAndGet(java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart);
        return null;
      }));
    }
    for (Future<?> future : futures) {
      future.get();
    }
    pool.shutdown();
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(sent.get()).as(label + ": every send went").isEqualTo(sends);
    return sends / seconds;
  }
}
