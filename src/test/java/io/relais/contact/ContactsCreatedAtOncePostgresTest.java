package io.relais.contact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import io.relais.support.PostgresDatabase;
import io.relais.web.InvalidInputException;
import java.time.Clock;
import java.time.Period;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two creations of a contact with the same phone at once (two webhooks, two nodes, two API calls):
 * each finds no contact, and both insert one. On PostgreSQL the loser's insert aborts its
 * transaction. A first message must still get the winner's contact, so that it is stored like the
 * other (an error would make Twilio drop it); an API call must get its 409 naming the owner.
 */
class ContactsCreatedAtOncePostgresTest {

  PostgresDatabase db;
  HikariDataSource ds;
  JdbcTemplate jdbc;

  @BeforeEach
  void start() {
    db = PostgresDatabase.create();
    ds = db.pool(4);
    Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
    jdbc = new JdbcTemplate(ds);
  }

  @AfterEach
  void stop() {
    ds.close();
    db.close();
  }

  ContactRegistry registry(SuppressionList suppression) {
    return new ContactRegistry(jdbc, Clock.systemUTC(), suppression, new ContactProperties("FR", Period.ofYears(3), "0 0 3 * * *"),
        new ObjectMapper(), new DataSourceTransactionManager(ds));
  }

  /**
   * A suppression list whose first check (the last read before a creation's insert) lets another
   * node create its contact first, in a transaction of its own that commits right there; {@link
   * #winner} is that contact's id.
   */
  final class OtherNodeFirst extends SuppressionList {
    final AtomicReference<String> winner = new AtomicReference<>();
    private final Callable<String> otherNodesCreation;

    OtherNodeFirst(Callable<String> otherNodesCreation) {
      super(jdbc, Clock.systemUTC());
      this.otherNodesCreation = otherNodesCreation;
    }

    @Override
    public boolean contains(String value) {
      if (winner.get() == null) {
        ExecutorService otherNode = Executors.newSingleThreadExecutor();
        try {
          winner.set(otherNode.submit(otherNodesCreation).get());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        } finally {
          otherNode.shutdownNow();
        }
      }
      return super.contains(value);
    }
  }

  @Test
  void aNumberInAnyFormFindsTheOneContactAndAnInvalidOneIsRefused() {
    // an E.164 number as Twilio sends it is looked up as given (no parse when a contact has it);
    // any other form is normalised first, and an invalid number is refused whatever its shape
    ContactRegistry registry = registry(new SuppressionList(jdbc, Clock.systemUTC()));
    String id = registry.findOrCreateByPhone("06 12 34 56 78").id();

    for (String form : new String[] {"+33612345678", "whatsapp:+33612345678", " +33612345678 ", "0033612345678", "06.12.34.56.78"}) {
      assertThat(registry.findOrCreateByPhone(form).id()).as(form).isEqualTo(id);
    }
    assertThat(jdbc.queryForObject("select count(*) from contact", Integer.class)).isEqualTo(1);
    String other = registry.findOrCreateByPhone("+33698765432").id();
    assertThat(other).isNotEqualTo(id);
    assertThat(jdbc.queryForObject("select phone from contact where id = ?", String.class, other)).isEqualTo("+33698765432");
    assertThatThrownBy(() -> registry.findOrCreateByPhone("+33012345678")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("phone");
    assertThat(jdbc.queryForObject("select count(*) from contact", Integer.class)).isEqualTo(2);
  }

  @Test
  void theNumberCreatedMeanwhileByAnotherNodeIsTheContactOfBoth() {
    String phone = "+33612345678";
    ContactRegistry other = registry(new SuppressionList(jdbc, Clock.systemUTC()));
    OtherNodeFirst racing = new OtherNodeFirst(() -> other.findOrCreateByPhone(phone).id());

    Contact contact = registry(racing).findOrCreateByPhone("06 12 34 56 78");

    assertThat(racing.winner.get()).isNotNull();
    assertThat(contact.id()).isEqualTo(racing.winner.get());
    assertThat(jdbc.queryForObject("select count(*) from contact where phone = ?", Integer.class, phone)).isEqualTo(1);
  }

  @Test
  void aCallersTransactionThatLosesTheRaceStillCommits() {
    String phone = "+33611223344";
    ContactRegistry other = registry(new SuppressionList(jdbc, Clock.systemUTC()));
    OtherNodeFirst racing = new OtherNodeFirst(() -> other.findOrCreateByPhone(phone).id());
    TransactionTemplate callers = new TransactionTemplate(new DataSourceTransactionManager(ds));

    String id = callers.execute(s -> {
      String contactId = registry(racing).findOrCreateByPhone(phone).id();
      jdbc.update("update contact set first_name = 'Léa' where id = ?", contactId); // the caller's own work
      return contactId;
    });

    assertThat(id).isEqualTo(racing.winner.get());
    assertThat(jdbc.queryForObject("select first_name from contact where id = ?", String.class, id)).isEqualTo("Léa");
  }

  @Test
  void aPhoneTakenMeanwhileByAnotherContactIsAConflictNamingItsOwner() {
    String phone = "+33698765432";
    ContactRegistry other = registry(new SuppressionList(jdbc, Clock.systemUTC()));
    OtherNodeFirst racing = new OtherNodeFirst(() -> other.save(withPhone(phone)).contact().id());

    // in a transaction, as the application's proxy runs it
    TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(ds));
    assertThatThrownBy(() -> transaction.execute(s -> registry(racing).save(withPhone(phone))))
        .isInstanceOf(io.relais.web.ConflictException.class)
        .hasMessage("Field 'phone': " + phone + " already belongs to contact '" + racing.winner.get() + "'");
    assertThat(racing.winner.get()).isNotNull();
    assertThat(jdbc.queryForObject("select count(*) from contact where phone = ?", Integer.class, phone)).isEqualTo(1);
  }

  static ContactInput withPhone(String phone) {
    return new ContactInput(null, phone, null, null, null, null, null, null, null, null, null);
  }
}
