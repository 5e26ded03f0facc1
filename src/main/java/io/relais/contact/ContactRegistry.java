package io.relais.contact;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.web.ConflictException;
import io.relais.web.InvalidInputException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The contact registry: creates and updates contacts from the brand's data (normalised, never
 * for a suppressed phone or email) and answers the look-ups of the send and inbound pipelines.
 */
@Service
public class ContactRegistry implements ContactDirectory, SendSubjects {

  static final String COLUMNS =
      "id, phone, email, first_name, last_name, locale, time_zone, postal_code, holiday_zone, attributes, erased";
  /** The same columns of {@code contact c}, for a statement that joins other tables. */
  private static final String C_COLUMNS = Arrays.stream(COLUMNS.split(", ")).map(c -> "c." + c).collect(Collectors.joining(", "));

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final SuppressionList suppression;
  private final ContactProperties properties;
  private final ObjectMapper json;
  private final RowMapper<Contact> mapper = this::map;
  private final TransactionTemplate savepoint;

  public ContactRegistry(JdbcTemplate jdbc, Clock clock, SuppressionList suppression,
      ContactProperties properties, ObjectMapper json, PlatformTransactionManager transactionManager) {
    this.jdbc = jdbc;
    this.savepoint = new TransactionTemplate(transactionManager);
    this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
    this.clock = clock;
    this.suppression = suppression;
    this.properties = properties;
    this.json = json;
  }

  /** What a save did, for the caller's report. */
  public enum Outcome { CREATED, UPDATED, UNCHANGED }

  public record Saved(Contact contact, Outcome outcome) {}

  @Override
  public Optional<Contact> find(String contactId) {
    if (contactId == null) {
      return Optional.empty();
    }
    return jdbc.query("select " + COLUMNS + " from contact where id = ?", mapper, contactId).stream().findFirst();
  }

  /** The contacts of these ids that exist, 500 ids to a statement. */
  @Override
  public Map<String, Contact> findAll(Collection<String> contactIds) {
    List<String> ids = contactIds.stream().filter(Objects::nonNull).distinct().toList();
    Map<String, Contact> found = new LinkedHashMap<>();
    for (int from = 0; from < ids.size(); from += 500) {
      List<String> chunk = ids.subList(from, Math.min(ids.size(), from + 500));
      jdbc.query("select " + COLUMNS + " from contact where id in (" + String.join(",", Collections.nCopies(chunk.size(), "?")) + ")",
          mapper, chunk.toArray()).forEach(c -> found.put(c.id(), c));
    }
    return found;
  }

  /**
   * The contact, its latest consent status for the channel and purpose (the verdict as {@link
   * ConsentLedger#check} computes it from the same row) and its open handoff, in one primary-key
   * statement instead of three.
   */
  @Override
  public Optional<SendSubject> findForSend(String contactId, Channel channel, Purpose purpose) {
    if (contactId == null) {
      return Optional.empty();
    }
    return jdbc.query("select " + C_COLUMNS + ", " + ConsentRules.CONSENT_COLUMNS + ", "
            + "exists (select 1 from handoff h where h.contact_id = c.id and h.resolved_at is null) as handoff_open "
            + "from contact c " + ConsentRules.CONSENT_JOIN + " where c.id = ?",
        (rs, row) -> new SendSubject(map(rs, row), purpose == null ? null : ConsentRules.verdictOfRow(rs, purpose, clock.instant()),
            rs.getBoolean("handoff_open")),
        channel.name(), purpose == null ? null : purpose.name(), contactId).stream().findFirst();
  }

  @Override
  public Optional<Contact> findByPhone(String e164) {
    if (e164 == null || e164.isBlank()) {
      return Optional.empty();
    }
    String phone;
    try {
      phone = ContactFields.phone(e164, properties.defaultRegion());
    } catch (InvalidInputException notAPhone) {
      return Optional.empty();
    }
    return byNormalisedPhone(phone);
  }

  private Optional<Contact> byNormalisedPhone(String phone) {
    return jdbc.query("select " + COLUMNS + " from contact where phone = ?", mapper, phone).stream().findFirst();
  }

  @Override
  public Optional<Contact> findByEmail(String email) {
    if (email == null || email.isBlank()) {
      return Optional.empty();
    }
    return jdbc.query("select " + COLUMNS + " from contact where email = ? order by created_at, id", mapper,
        email.strip().toLowerCase(java.util.Locale.ROOT)).stream().findFirst();
  }

  /**
   * The contact with this phone, created if none has it. A known number (every inbound message
   * but a customer's first) is one read in autocommit, with the number normalised once; only a
   * creation opens a transaction.
   */
  @Override
  public Contact findOrCreateByPhone(String e164) {
    // Twilio sends numbers in E.164 already, and every stored number is normalised: a contact
    // stored with exactly this text is this number's, with no parse (libphonenumber's parse and
    // validation were ~4 % of the inbound webhook's CPU). Anything else, or a number not known in
    // this form, is normalised (and refused when invalid) as before.
    String given = ContactFields.e164Shaped(e164);
    if (given != null) {
      Optional<Contact> known = byNormalisedPhone(given);
      if (known.isPresent()) {
        return known.get();
      }
    }
    String phone = ContactFields.phone(e164, properties.defaultRegion());
    Optional<Contact> known = phone.equals(given) ? Optional.empty() : byNormalisedPhone(phone); // looked up just above
    if (known.isPresent()) {
      return known.get();
    }
    try {
      // under a savepoint too (a transaction of its own when the caller has none), so that the
      // caller's transaction survives a lost race and the read below can run in it
      return savepoint.execute(tx -> {
        if (suppression.contains(phone)) {
          throw new ConflictException("SUPPRESSED: this phone number belongs to an erased contact and must not be contacted again");
        }
        return save(new ContactInput(null, phone, null, null, null, null, null, null, null, null, null)).contact();
      });
    } catch (ConflictException e) {
      // another node or thread created the contact for this number after the read above (two
      // first messages at once): it is this number's contact too
      return byNormalisedPhone(phone).orElseThrow(() -> e);
    }
  }

  /**
   * Creates the contact ({@code id} null: a generated one) or updates it with the non-null
   * fields of {@code input}. Refused (409) for an erased contact, a suppressed phone or email, or
   * a phone that another contact has.
   */
  @Transactional
  public Saved save(ContactInput input) {
    String id = input.id() == null ? UUID.randomUUID().toString() : ContactFields.id(input.id());
    Draft d = Draft.from(input, properties.defaultRegion());
    Optional<Stored> existing = stored(id);
    if (existing.isPresent() && existing.get().erased) {
      throw new ConflictException("Contact '" + id + "' was erased (RGPD): it cannot be re-created nor changed");
    }
    Stored before = existing.orElse(null);
    if (d.phone != null && (before == null || !d.phone.equals(before.phone)) && suppression.contains(d.phone)) {
      throw new ConflictException("SUPPRESSED: field 'phone' belongs to an erased contact and must not be contacted again");
    }
    if (d.email != null && (before == null || !d.email.equals(before.email)) && suppression.contains(d.email)) {
      throw new ConflictException("SUPPRESSED: field 'email' belongs to an erased contact and must not be contacted again");
    }
    Stored after = merge(before, id, d);
    if (before != null && before.sameProfileAs(after)) {
      return new Saved(map(after), Outcome.UNCHANGED);
    }
    Timestamp now = Timestamp.from(clock.instant());
    try {
      // under a savepoint: on PostgreSQL a duplicate key aborts the whole transaction, and the
      // reads below, which say who has the phone, could not run
      savepoint.executeWithoutResult(status -> {
        if (before == null) {
          jdbc.update("insert into contact (id, phone, email, first_name, last_name, locale, time_zone, postal_code, holiday_zone, "
                  + "attributes, erased, customer, last_purchase_at, last_activity_at, created_at, updated_at) "
                  + "values (?,?,?,?,?,?,?,?,?,?,false,?,?,?,?,?)",
              id, after.phone, after.email, after.firstName, after.lastName, after.locale, after.timeZone,
              after.postalCode, after.holidayZone, after.attributes, after.customer, ts(after.lastPurchaseAt), now, now, now);
        } else {
          jdbc.update("update contact set phone=?, email=?, first_name=?, last_name=?, locale=?, time_zone=?, postal_code=?, "
                  + "holiday_zone=?, attributes=?, customer=?, last_purchase_at=?, updated_at=? where id=?",
              after.phone, after.email, after.firstName, after.lastName, after.locale, after.timeZone, after.postalCode,
              after.holidayZone, after.attributes, after.customer, ts(after.lastPurchaseAt), now, id);
        }
      });
    } catch (DuplicateKeyException e) {
      if (before == null && stored(id).isPresent()) {
        throw new ConflictException("Contact '" + id + "' was created concurrently; retry the request");
      }
      String owner = jdbc.queryForList("select id from contact where phone = ?", String.class, after.phone).stream()
          .findFirst().orElse("another contact");
      throw new ConflictException("Field 'phone': " + after.phone + " already belongs to contact '" + owner + "'");
    }
    return new Saved(map(after), before == null ? Outcome.CREATED : Outcome.UPDATED);
  }

  /** Whether a contact exists and is erased. */
  public boolean isErased(String contactId) {
    return stored(contactId).map(s -> s.erased).orElse(false);
  }

  private Stored merge(Stored before, String id, Draft d) {
    Stored s = new Stored();
    s.id = id;
    s.phone = d.phone != null ? d.phone : before == null ? null : before.phone;
    s.email = d.email != null ? d.email : before == null ? null : before.email;
    s.firstName = d.firstName != null ? d.firstName : before == null ? null : before.firstName;
    s.lastName = d.lastName != null ? d.lastName : before == null ? null : before.lastName;
    s.locale = d.locale != null ? d.locale : before == null ? null : before.locale;
    s.postalCode = d.postalCode != null ? d.postalCode : before == null ? null : before.postalCode;
    boolean phoneChanged = before == null || !Objects.equals(before.phone, s.phone);
    if (d.timeZone != null) {
      s.timeZone = d.timeZone;
    } else if (phoneChanged) {
      s.timeZone = ContactFields.zoneOf(s.phone).getId();
    } else {
      s.timeZone = before.timeZone;
    }
    s.holidayZone = ContactFields.holidayZone(s.postalCode).name();
    s.attributes = d.attributes != null ? d.attributes : before == null ? null : before.attributes;
    s.customer = d.customer != null ? d.customer : before != null && before.customer;
    s.lastPurchaseAt = d.lastPurchaseAt != null ? d.lastPurchaseAt : before == null ? null : before.lastPurchaseAt;
    if (d.lastPurchaseAt != null) {
      s.customer = true;
    }
    return s;
  }

  private Optional<Stored> stored(String id) {
    return jdbc.query("select " + COLUMNS + ", customer, last_purchase_at from contact where id = ?", (rs, i) -> {
      Stored s = new Stored();
      s.id = rs.getString("id");
      s.phone = rs.getString("phone");
      s.email = rs.getString("email");
      s.firstName = rs.getString("first_name");
      s.lastName = rs.getString("last_name");
      s.locale = rs.getString("locale");
      s.timeZone = rs.getString("time_zone");
      s.postalCode = rs.getString("postal_code");
      s.holidayZone = rs.getString("holiday_zone");
      s.attributes = rs.getString("attributes");
      s.erased = rs.getBoolean("erased");
      s.customer = rs.getBoolean("customer");
      Timestamp lp = rs.getTimestamp("last_purchase_at");
      s.lastPurchaseAt = lp == null ? null : lp.toInstant();
      return s;
    }, id).stream().findFirst();
  }

  private Contact map(ResultSet rs, int row) throws SQLException {
    return new Contact(rs.getString("id"), rs.getString("phone"), rs.getString("email"), rs.getString("first_name"),
        rs.getString("last_name"), rs.getString("locale"), ZoneId.of(rs.getString("time_zone")), rs.getString("postal_code"),
        HolidayZone.valueOf(rs.getString("holiday_zone")), attributes(rs.getString("attributes")), rs.getBoolean("erased"));
  }

  private Contact map(Stored s) {
    return new Contact(s.id, s.phone, s.email, s.firstName, s.lastName, s.locale, ZoneId.of(s.timeZone), s.postalCode,
        HolidayZone.valueOf(s.holidayZone), attributes(s.attributes), s.erased);
  }

  private Map<String, Object> attributes(String text) {
    if (text == null) {
      return Map.of();
    }
    try {
      return json.readValue(text, new TypeReference<LinkedHashMap<String, Object>>() {});
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Corrupt attributes JSON in table contact", e);
    }
  }

  private static Timestamp ts(Instant i) {
    return i == null ? null : Timestamp.from(i);
  }

  /** The normalised non-null fields of an input. */
  private static final class Draft {
    String phone, email, firstName, lastName, locale, timeZone, postalCode, attributes;
    Boolean customer;
    Instant lastPurchaseAt;

    static Draft from(ContactInput in, String region) {
      Draft d = new Draft();
      d.phone = blank(in.phone()) ? null : ContactFields.phone(in.phone(), region);
      d.email = blank(in.email()) ? null : ContactFields.email(in.email());
      d.firstName = in.firstName() == null ? null : ContactFields.name("firstName", in.firstName());
      d.lastName = in.lastName() == null ? null : ContactFields.name("lastName", in.lastName());
      d.locale = blank(in.locale()) ? null : ContactFields.locale(in.locale());
      d.timeZone = blank(in.timeZone()) ? null : ContactFields.zone(in.timeZone()).getId();
      d.postalCode = blank(in.postalCode()) ? null : ContactFields.postalCode(in.postalCode());
      if (in.attributes() != null) {
        if (!(in.attributes() instanceof Map<?, ?>)) {
          throw new InvalidInputException("attributes", "attributes must be a JSON object such as {\"segments\": [\"vip\"]}");
        }
        try {
          d.attributes = JSON.writeValueAsString(in.attributes());
        } catch (JsonProcessingException e) {
          throw new InvalidInputException("attributes", "attributes must be a JSON object");
        }
        if (d.attributes.length() > 100_000) {
          throw new InvalidInputException("attributes", "attributes must be at most 100,000 characters of JSON");
        }
      }
      d.customer = in.customer();
      d.lastPurchaseAt = in.lastPurchaseAt() == null ? null : in.lastPurchaseAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      return d;
    }

    // Sorted keys, so that the same attributes in another order are "unchanged".
    private static final ObjectMapper JSON =
        new ObjectMapper().configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private static boolean blank(String s) {
      return s == null || s.isBlank();
    }
  }

  /** A row of table contact as the registry compares it. */
  private static final class Stored {
    String id, phone, email, firstName, lastName, locale, timeZone, postalCode, holidayZone, attributes;
    boolean erased, customer;
    Instant lastPurchaseAt;

    boolean sameProfileAs(Stored o) {
      return Objects.equals(phone, o.phone) && Objects.equals(email, o.email) && Objects.equals(firstName, o.firstName)
          && Objects.equals(lastName, o.lastName) && Objects.equals(locale, o.locale) && Objects.equals(timeZone, o.timeZone)
          && Objects.equals(postalCode, o.postalCode) && Objects.equals(holidayZone, o.holidayZone)
          && Objects.equals(attributes, o.attributes) && customer == o.customer && Objects.equals(lastPurchaseAt, o.lastPurchaseAt);
    }
  }
}
