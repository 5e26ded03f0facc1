package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.support.PostgresDatabase;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On PostgreSQL, where an error aborts the whole transaction: several nodes or threads creating the
 * same first row at once (a new sender's throughput row, a contact's cap guard row) all go on, and
 * the rules still hold (each reservation counts, a cap of one lets one message through).
 */
class ConcurrentFirstSendsPostgresTest {

  static final int THREADS = 8;

  PostgresDatabase db;
  HikariDataSource ds;

  @BeforeEach
  void start() {
    db = PostgresDatabase.create();
    ds = db.pool(THREADS + 2);
  }

  @AfterEach
  void stop() {
    ds.close();
    db.close();
  }

  <T> List<T> atOnce(Callable<T> task) throws Exception {
    CyclicBarrier start = new CyclicBarrier(THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get()); // rethrows a failed send
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void concurrentFirstReservationsOfNewSendersAllSucceedAndAllCount() throws Exception {
    OutboundFixture f = new OutboundFixture(ds);
    DataSourceTransactionManager transactions = new DataSourceTransactionManager(ds);
    Instant now = Instant.parse("2026-07-08T10:00:00Z");
    for (int round = 0; round < 20; round++) {
      String sender = "3618" + round;
      List<Instant> slots = atOnce(() -> new TransactionTemplate(transactions).execute(tx -> {
        Instant slot = f.store.reserveThroughput(sender, 1, 100.0, now);
        f.jdbc.queryForObject("select 1", Integer.class); // the transaction is still usable
        return slot;
      }));
      assertThat(slots).as("round %d: every send of the new sender may go now (burst of one second)", round).containsOnly(now);
      Timestamp next = f.jdbc.queryForObject("select next_free from sender_rate where sender = ?", Timestamp.class, sender);
      assertThat(next.toInstant()).as("round %d: the %d reservations all counted", round, THREADS)
          .isEqualTo(now.plus(Duration.ofMillis(10L * THREADS)));
    }
  }

  @Test
  void concurrentFirstSmsOfANewSenderThroughThePipelineAllGo() throws Exception {
    OutboundFixture f = new OutboundFixture(ds);
    CompliantSendPipeline pipeline = f.pipeline();
    List<Contact> contacts = new ArrayList<>();
    for (int i = 0; i < THREADS; i++) {
      contacts.add(f.optedIn(Channel.SMS));
    }
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<SendResult> results = atOnce(() -> {
      Contact c = contacts.get(next.getAndIncrement());
      return pipeline.send(OutboundFixture.request("first-" + c.id(), c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive"));
    });
    assertThat(results).extracting(SendResult::outcome).containsOnly(SendOutcome.SENT);
    assertThat(f.phone.sent).hasSize(THREADS);
  }

  @Test
  void concurrentFirstMarketingSmsToOneContactSendOneAndCapTheOthers() throws Exception {
    OutboundFixture f = new OutboundFixture(ds);
    CompliantSendPipeline pipeline = f.pipeline(); // default caps: 1 marketing SMS a day
    Contact c = f.optedIn(Channel.SMS);
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    List<SendResult> results = atOnce(() ->
        pipeline.send(OutboundFixture.request("promo-" + next.getAndIncrement(), c.id(), Channel.SMS, MessageCategory.MARKETING, "Promo -20%")));
    assertThat(results).extracting(SendResult::outcome).containsOnly(SendOutcome.SENT, SendOutcome.CAPPED);
    assertThat(results).filteredOn(r -> r.outcome() == SendOutcome.SENT).hasSize(1);
    assertThat(f.phone.sent).hasSize(1);
  }
}
