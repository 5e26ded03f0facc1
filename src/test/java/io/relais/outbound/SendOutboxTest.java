package io.relais.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.contact.ConsentVerdict;
import io.relais.conversation.MessageRecord;
import io.relais.support.Await;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.ProcessEngine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A message recorded in its journey's transaction ({@link CompliantSendPipeline#queue}) leaves
 * once, after that transaction committed, and only if it may still go when it leaves: a STOP, the
 * evening or the cap that came meanwhile stop it; a provider that refused it gets it again a few
 * times; an answer that never came is never resent.
 */
class SendOutboxTest {

  static final Instant WEDNESDAY_NOON = Instant.parse("2026-07-08T10:00:00Z"); // 12:00 Paris
  static final Instant WEDNESDAY_LAST_SECOND = Instant.parse("2026-07-08T17:59:59Z"); // 19:59:59 Paris
  static final Instant WEDNESDAY_EVENING = Instant.parse("2026-07-08T18:00:01Z"); // 20:00:01 Paris

  final OutboundFixture f = new OutboundFixture();
  CompliantSendPipeline pipeline;
  SendOutbox outbox;
  TransactionTemplate tx;

  void setUp(int maxAttempts) {
    setUp(maxAttempts, new DataSourceTransactionManager(f.dataSource));
  }

  /** The pipeline and the outbox on {@code transactions}. */
  void setUp(int maxAttempts, org.springframework.transaction.PlatformTransactionManager transactions) {
    pipeline = f.pipeline(transactions);
    outbox = new SendOutbox(pipeline, f.messages, f.jdbc, transactions, f.clock,
        new StaticListableBeanFactory().getBeanProvider(ProcessEngine.class), DeliveryProperties.defaults(), 2, 100, maxAttempts, Duration.ofSeconds(30), 100);
    tx = new TransactionTemplate(new DataSourceTransactionManager(f.dataSource));
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (outbox != null) {
      outbox.stop();
    }
  }

  SendRequest marketing(Contact c, String key) {
    return OutboundFixture.request(key, c.id(), Channel.SMS, MessageCategory.MARKETING, "Bonjour {{firstName}}, -20% ce soir");
  }

  MessageRecord row(String id) {
    return f.messages.find(id).orElseThrow();
  }

  Instant dueAt(String id) {
    return f.jdbc.queryForObject("select due_at from message_outbox where message_id = ?", java.sql.Timestamp.class, id).toInstant();
  }

  static void await(String what, java.util.function.BooleanSupplier done) {
    Await.until(what, java.time.Duration.ofSeconds(10), done);
  }

  @Test
  void aQueuedMessageLeavesOnceAfterItsTransactionCommitted() throws InterruptedException {
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    SendResult result = tx.execute(status -> {
      SendResult r = pipeline.queue(marketing(c, "tx:1"));
      assertThat(row(r.messageId()).status()).isEqualTo(SendOutbox.QUEUED);
      assertThat(f.phone.sent).as("nothing leaves before the commit").isEmpty();
      return r;
    });
    assertThat(result.outcome()).as("accepted for sending, as the journey sees it").isEqualTo(SendOutcome.SENT);

    await("the provider call", () -> f.phone.sent.size() == 1);
    await("the recorded answer", () -> "SENT".equals(row(result.messageId()).status()));
    MessageRecord m = row(result.messageId());
    assertThat(m.providerId()).isEqualTo("SM" + m.id().replace("-", ""));
    assertThat(f.phone.sent.get(0).text()).startsWith("Bonjour Camille, -20% ce soir").contains("STOP au");
    await("the outbox row's deletion", () -> outbox.size() == 0);
    outbox.dispatch(m.id());
    outbox.poll();
    Thread.sleep(200);
    assertThat(f.phone.sent).as("taken once").hasSize(1);
  }

  @Test
  void aSentMessageCostsTwoCommitsItsClaimAndItsAnswerWithTheRowsRemoval() {
    Commits commits = new Commits(f.dataSource);
    setUp(3, commits);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    // queued outside a transaction: nothing dispatches it after a commit, this test does, once
    String id = pipeline.queue(marketing(c, "tx:commits")).messageId();
    int before = commits.count.get();

    outbox.dispatch(id);

    assertThat(f.phone.sent).hasSize(1);
    assertThat(row(id).status()).isEqualTo("SENT");
    assertThat(outbox.size()).isZero();
    assertThat(commits.count.get() - before).as("the claim, then the answer together with the row's removal").isEqualTo(2);
  }

  /** Counts the commits of the transactions it runs. */
  static final class Commits extends DataSourceTransactionManager {
    final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();

    Commits(javax.sql.DataSource dataSource) {
      super(dataSource);
    }

    @Override
    protected void doCommit(org.springframework.transaction.support.DefaultTransactionStatus status) {
      super.doCommit(status);
      count.incrementAndGet();
    }
  }

  @Test
  void aTransactionThatRollsBackLeavesNothingToSend() throws InterruptedException {
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    tx.executeWithoutResult(status -> {
      pipeline.queue(marketing(c, "tx:2"));
      status.setRollbackOnly(); // the journey's start failed after its send step
    });
    outbox.poll();
    Thread.sleep(300);
    assertThat(f.transcript(c.id())).isEmpty();
    assertThat(outbox.size()).isZero();
    assertThat(f.phone.sent).isEmpty();
  }

  @Test
  void aStopThatCameBeforeTheMessageLeftIsHonoured() throws InterruptedException {
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    String id = tx.execute(status -> {
      String queued = pipeline.queue(marketing(c, "tx:3")).messageId();
      f.contacts.set(c.id(), Channel.SMS, ConsentVerdict.WITHDRAWN); // STOP arrives before the commit
      return queued;
    });
    await("the dispatcher's decision", () -> !SendOutbox.QUEUED.equals(row(id).status()));
    assertThat(row(id).status()).isEqualTo("NO_CONSENT");
    assertThat(row(id).reason()).isEqualTo("WITHDRAWN");
    assertThat(f.phone.sent).isEmpty();
    assertThat(outbox.size()).isZero();
  }

  @Test
  void theEveningThatCameMeanwhileHoldsAMarketingMessageUntilTheMorning() {
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_LAST_SECOND);
    String id = pipeline.queue(marketing(c, "tx:4")).messageId(); // no transaction: the poll would take it
    f.clock.set(WEDNESDAY_EVENING);

    outbox.dispatch(id);

    assertThat(f.phone.sent).isEmpty();
    assertThat(row(id).status()).isEqualTo(SendOutbox.QUEUED);
    Instant morning = Instant.parse("2026-07-09T06:00:00Z"); // Thursday 08:00 Paris
    assertThat(dueAt(id)).isEqualTo(morning);
    f.clock.set(morning);
    outbox.dispatch(id);
    assertThat(f.phone.sent).hasSize(1);
    assertThat(row(id).status()).isEqualTo("SENT");
    assertThat(row(id).createdAt()).as("dated when it left: the caps count it from then").isEqualTo(morning);
  }

  @Test
  void aMessageHeldPastACapsPeriodIsCountedWhenItLeaves() {
    f.props = new OutboundProperties(null, null, java.util.Map.of(Channel.SMS, "1/P1D"), null, null, null, null, null, null);
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_LAST_SECOND);
    String held = pipeline.queue(marketing(c, "tx:5")).messageId();
    f.clock.set(WEDNESDAY_EVENING);
    outbox.dispatch(held); // held until Thursday 08:00
    // Thursday 20:00 minus a second: a day after the held one was queued, so the queue lets another through
    Instant thursdayLastSecond = WEDNESDAY_LAST_SECOND.plus(Duration.ofDays(1));
    Instant morning = Instant.parse("2026-07-09T06:00:00Z");
    f.clock.set(morning);
    outbox.dispatch(held);
    assertThat(row(held).status()).isEqualTo("SENT");
    f.clock.set(thursdayLastSecond);
    SendResult second = pipeline.queue(marketing(c, "tx:6"));
    assertThat(second.outcome()).as("one a day, counted from when the first left (08:00), not when it was queued")
        .isEqualTo(SendOutcome.CAPPED);
    assertThat(f.phone.sent).hasSize(1);
  }

  @Test
  void aProviderThatRefusesGetsTheMessageAgainWithDoublingWaitsThenItStaysFailed() {
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    String id = pipeline.queue(OutboundFixture.request("tx:7", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive"))
        .messageId();
    f.phone.failWith = new MessageProvider.ProviderException("busy", "20503", false, null);

    outbox.dispatch(id);
    assertThat(row(id).status()).isEqualTo(SendOutbox.QUEUED);
    assertThat(dueAt(id)).isEqualTo(WEDNESDAY_NOON.plusSeconds(30));
    outbox.dispatch(id);
    assertThat(f.phone.sent).as("not due yet: not taken").isEmpty();
    f.clock.set(WEDNESDAY_NOON.plusSeconds(30));
    outbox.dispatch(id);
    assertThat(dueAt(id)).isEqualTo(WEDNESDAY_NOON.plusSeconds(90));
    f.clock.set(WEDNESDAY_NOON.plusSeconds(90));
    outbox.dispatch(id); // the third and last attempt

    assertThat(row(id).status()).isEqualTo("FAILED");
    assertThat(row(id).reason()).contains("busy");
    assertThat(outbox.size()).isZero();
  }

  @Test
  void aProviderThatRefusedOnceGetsItAgainAndItGoesOnce() {
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    String id = pipeline.queue(OutboundFixture.request("tx:8", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive"))
        .messageId();
    f.phone.failWith = new MessageProvider.ProviderException("refused", "CONNECT", false, new java.net.ConnectException("refused"));
    outbox.dispatch(id);
    f.phone.failWith = null;
    f.clock.set(WEDNESDAY_NOON.plusSeconds(30));
    outbox.dispatch(id);

    assertThat(row(id).status()).isEqualTo("SENT");
    assertThat(f.phone.sent).hasSize(1);
    assertThat(f.transcript(c.id())).hasSize(1);
  }

  @Test
  void anAnswerThatNeverCameIsNeverResent() {
    setUp(5);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    String id = pipeline.queue(OutboundFixture.request("tx:9", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive"))
        .messageId();
    f.phone.failWith = MessageProvider.ProviderException.unknown("read timed out", "TIMEOUT", null);

    outbox.dispatch(id);
    f.phone.failWith = null;
    f.clock.set(WEDNESDAY_NOON.plus(Duration.ofHours(1)));
    outbox.dispatch(id);
    outbox.poll();

    assertThat(row(id).status()).isEqualTo(DeliveryStatus.UNKNOWN);
    assertThat(outbox.size()).isZero();
    assertThat(f.phone.sent).isEmpty();
  }

  @Test
  void twoDispatchersTakingTheSameMessageSendItOnce() throws Exception {
    setUp(3);
    f.clock.set(WEDNESDAY_NOON);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 20; round++) {
        Contact c = f.optedIn(Channel.SMS);
        String id = pipeline.queue(OutboundFixture.request("tx:race-" + round, c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL,
            "Votre colis arrive")).messageId();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> both = List.of(threads.submit(() -> {
          go.await();
          outbox.dispatch(id);
          return null;
        }), threads.submit(() -> {
          go.await();
          outbox.dispatch(id);
          return null;
        }));
        go.countDown();
        for (Future<?> one : both) {
          one.get(10, TimeUnit.SECONDS);
        }
        assertThat(row(id).status()).isEqualTo("SENT");
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(f.phone.sent).hasSize(20);
    assertThat(f.phone.sent.stream().map(MessageProvider.OutboundMessage::messageId).distinct()).hasSize(20);
  }

  /** A provider whose caller dies during the call (once), and that can tell afterwards whether it got the message. */
  static final class DyingProvider implements MessageProvider {
    final List<OutboundMessage> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean dieAfterAccepting;
    volatile boolean dieBeforeAccepting;
    volatile boolean canTell = true;

    @Override
    public String name() {
      return "FAKE_TWILIO";
    }

    @Override
    public boolean external() {
      return true;
    }

    @Override
    public Receipt send(OutboundMessage message) {
      if (dieBeforeAccepting) {
        dieBeforeAccepting = false;
        throw new NodeDied();
      }
      sent.add(message);
      if (dieAfterAccepting) {
        dieAfterAccepting = false;
        throw new NodeDied();
      }
      return new Receipt("SM" + message.messageId().replace("-", ""), "SENT");
    }

    @Override
    public Lookup lookup(InDoubt message) {
      if (!canTell) {
        return Lookup.UNSUPPORTED;
      }
      return sent.stream().anyMatch(m -> m.messageId().equals(message.messageId()))
          ? Lookup.found("SM" + message.messageId().replace("-", "")) : Lookup.NOT_FOUND;
    }
  }

  /** What a kill -9 during the provider call looks like to the code after it: nothing runs. */
  static final class NodeDied extends Error {
    NodeDied() {
      super("the node died during the call");
    }
  }

  String queuedWithADyingProvider(DyingProvider provider, String key) {
    f.phoneProvider = provider;
    setUp(3);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_NOON);
    String id = pipeline.queue(OutboundFixture.request(key, c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive"))
        .messageId();
    try {
      outbox.dispatch(id);
      throw new AssertionError("the dispatcher should have died");
    } catch (NodeDied expected) {
      // the message stays PENDING, its outbox row leased
    }
    assertThat(row(id).status()).isEqualTo("PENDING");
    outbox.dispatch(id);
    assertThat(provider.sent.size()).as("no second dispatcher while the call may still be on its way").isLessThanOrEqualTo(1);
    f.clock.set(WEDNESDAY_NOON.plus(Duration.ofSeconds(41))); // past the lease: connect 5 s + response 30 s + 5 s
    outbox.dispatch(id);
    return id;
  }

  @Test
  void aDispatcherThatDiedAfterTheProviderAcceptedIsFoundThereAndNotSentAgain() {
    DyingProvider provider = new DyingProvider();
    provider.dieAfterAccepting = true;
    String id = queuedWithADyingProvider(provider, "tx:10");
    assertThat(provider.sent).hasSize(1);
    assertThat(row(id).status()).isEqualTo("SENT");
    assertThat(row(id).providerId()).isEqualTo("SM" + id.replace("-", ""));
    assertThat(outbox.size()).isZero();
  }

  @Test
  void aDispatcherThatDiedBeforeTheProviderGotItIsSentByTheNext() {
    DyingProvider provider = new DyingProvider();
    provider.dieBeforeAccepting = true;
    String id = queuedWithADyingProvider(provider, "tx:11");
    assertThat(provider.sent).hasSize(1);
    assertThat(row(id).status()).isEqualTo("SENT");
    assertThat(outbox.size()).isZero();
  }

  @Test
  void aDispatcherThatDiedWhereTheProviderCannotTellLeavesItPendingNeverSentTwice() {
    DyingProvider provider = new DyingProvider();
    provider.dieAfterAccepting = true;
    provider.canTell = false;
    String id = queuedWithADyingProvider(provider, "tx:12");
    outbox.dispatch(id);
    assertThat(provider.sent).hasSize(1);
    assertThat(row(id).status()).as("UnknownOutcomes declares it UNKNOWN later").isEqualTo("PENDING");
    assertThat(outbox.size()).isZero();
  }

  @Test
  void operatorsSeeWhatWaitsAndWhatWasGivenUp() {
    setUp(1);
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    outbox.setMeterRegistry(registry);
    Contact c = f.optedIn(Channel.SMS);
    f.clock.set(WEDNESDAY_LAST_SECOND);
    String held = pipeline.queue(marketing(c, "tx:13")).messageId();
    String refused = pipeline.queue(OutboundFixture.request("tx:14", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis"))
        .messageId();
    f.clock.set(WEDNESDAY_EVENING);
    outbox.dispatch(held); // held until the morning
    f.phone.failWith = new MessageProvider.ProviderException("invalid number", "21211", false, null);
    outbox.dispatch(refused); // its only attempt

    f.clock.set(WEDNESDAY_EVENING.plusSeconds(1)); // nothing due: the poll only counts
    outbox.poll();
    assertThat(registry.get(SendOutbox.GAUGE).gauge().value()).isEqualTo(1.0);
    assertThat(registry.get(SendOutbox.COUNTER).counter().count()).isEqualTo(1.0);
    assertThat(row(refused).status()).isEqualTo("FAILED");
  }
}
