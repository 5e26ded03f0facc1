package io.relais.simulator;

import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Repository;

/**
 * The test contacts of the simulator ({@code simulator_contact}). Addresses come from the contact
 * registry when it knows the contact (it normalises them and may have erased them), from the
 * simulator's own copy otherwise.
 */
@Repository
public class SimulatorContacts {

  /** A test contact as the simulator plays it. */
  public record TestContact(String id, String firstName, String phone, String email, Instant createdAt) {}

  private static final RowMapper<TestContact> MAPPER =
      (rs, n) ->
          new TestContact(
              rs.getString("id"), rs.getString("first_name"), rs.getString("phone"), rs.getString("email"),
              rs.getTimestamp("created_at").toInstant());

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final ObjectProvider<ContactDirectory> directory;

  public SimulatorContacts(JdbcTemplate jdbc, Clock clock, ObjectProvider<ContactDirectory> directory) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.directory = directory;
  }

  /** Adds the contact to the simulator's list, or refreshes its copy when already there. */
  public TestContact register(String id, String firstName, String phone, String email, String createdBy) {
    Timestamp now = Timestamp.from(clock.instant());
    try {
      jdbc.update(
          "insert into simulator_contact (id, first_name, phone, email, created_by, created_at) values (?,?,?,?,?,?)",
          id, firstName, phone, email, createdBy, now);
    } catch (DuplicateKeyException alreadyThere) {
      jdbc.update("update simulator_contact set first_name = ?, phone = ?, email = ? where id = ?",
          firstName, phone, email, id);
    }
    return find(id).orElseThrow();
  }

  /** The most recent test contacts first. */
  public List<TestContact> recent(int max) {
    return jdbc.query(
            "select * from simulator_contact order by created_at desc, id fetch first " + max + " rows only", MAPPER)
        .stream()
        .map(this::withRegistryAddresses)
        .flatMap(Optional::stream)
        .toList();
  }

  /** The contact with its current addresses; empty when unknown or erased from the registry. */
  public Optional<TestContact> find(String id) {
    return jdbc.query("select * from simulator_contact where id = ?", MAPPER, id).stream()
        .findFirst()
        .flatMap(this::withRegistryAddresses);
  }

  private Optional<TestContact> withRegistryAddresses(TestContact local) {
    ContactDirectory registry = directory.getIfAvailable();
    if (registry == null) {
      return Optional.of(local);
    }
    Optional<Contact> known = registry.find(local.id());
    if (known.isEmpty()) {
      return Optional.of(local);
    }
    Contact c = known.get();
    if (c.erased()) {
      return Optional.empty();
    }
    return Optional.of(
        new TestContact(
            c.id(),
            c.firstName() != null ? c.firstName() : local.firstName(),
            c.phone() != null ? c.phone() : local.phone(),
            c.email() != null ? c.email() : local.email(),
            local.createdAt()));
  }
}
