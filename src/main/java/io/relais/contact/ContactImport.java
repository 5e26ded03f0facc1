package io.relais.contact;

import io.relais.web.ConflictException;
import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Bulk import of contacts and their consents from CSV: streamed line by line, each line in its
 * own transaction (a bad line is reported and the good ones kept), idempotent (a line that changes
 * nothing writes nothing), with progress readable from any node in table {@code contact_import}.
 */
@Service
public class ContactImport {

  /** Longest line read; a longer one is skipped unread and reported. */
  public static final int MAX_LINE_CHARS = 1024 * 1024;
  /** Rejections listed in a report; the count goes on beyond. */
  static final int MAX_LISTED_REJECTIONS = 10_000;
  private static final int PROGRESS_EVERY = 500;
  private static final Pattern IMPORT_ID = Pattern.compile("^[A-Za-z0-9._-]{1,64}$");
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  private static final Map<String, String> COLUMNS = columns();
  private static final Map<String, Channel> CONSENT_COLUMNS = Map.of(
      "sms_marketing", Channel.SMS, "email_marketing", Channel.EMAIL,
      "whatsapp_marketing", Channel.WHATSAPP, "rcs_marketing", Channel.RCS);

  private final ContactRegistry registry;
  private final ConsentLedger ledger;
  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;

  public ContactImport(ContactRegistry registry, ConsentLedger ledger, JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
    this.registry = registry;
    this.ledger = ledger;
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
  }

  public record Rejection(long line, String field, String reason) {}

  public record Report(String importId, String status, long lines, long imported, long updated, long unchanged,
      long rejectedCount, List<Rejection> rejected) {}

  /** Imports a CSV stream (UTF-8, header first); {@code importId} null: a generated one. */
  public Report importCsv(InputStream body, String importId, String startedBy) {
    String id = importId == null || importId.isBlank() ? UUID.randomUUID().toString() : importId;
    if (!IMPORT_ID.matcher(id).matches()) {
      throw new InvalidInputException("importId", "An import id is 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (!jdbc.queryForList("select id from contact_import where id = ?", String.class, id).isEmpty()) {
      throw new ConflictException("Import '" + id + "' exists already: choose another import id");
    }
    CsvReader csv = new CsvReader(new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16), MAX_LINE_CHARS);
    Map<String, Integer> header = header(csv);
    jdbc.update("insert into contact_import (id, status, started_by, started_at) values (?, 'RUNNING', ?, ?)",
        id, startedBy, Timestamp.from(clock.instant()));
    long[] counts = new long[5]; // lines, imported, updated, unchanged, rejected
    List<Rejection> rejected = new ArrayList<>();
    String status = "FAILED";
    try {
      CsvReader.Row row;
      while ((row = csv.next()) != null) {
        counts[0]++;
        LineResult r = importRow(row, header, id);
        if (r.rejection() == null) {
          counts[r.outcome() == ContactRegistry.Outcome.CREATED ? 1 : r.outcome() == ContactRegistry.Outcome.UPDATED ? 2 : 3]++;
        } else {
          counts[4]++;
          if (rejected.size() < MAX_LISTED_REJECTIONS) {
            rejected.add(r.rejection());
          }
        }
        if (counts[0] % PROGRESS_EVERY == 0) {
          progress(id, counts, "RUNNING", null);
        }
      }
      status = "DONE";
    } catch (IOException e) {
      throw new UncheckedIOException("Reading the CSV stream of import " + id, e);
    } finally {
      progress(id, counts, status, clock.instant());
    }
    return new Report(id, status, counts[0], counts[1], counts[2], counts[3], counts[4], rejected);
  }

  /** The progress (or outcome) of an import, from any node. */
  public Report progress(String importId) {
    return jdbc.query("select * from contact_import where id = ?", (rs, i) -> new Report(rs.getString("id"),
            rs.getString("status"), rs.getLong("lines"), rs.getLong("imported"), rs.getLong("updated"),
            rs.getLong("unchanged"), rs.getLong("rejected"), null), importId)
        .stream().findFirst().orElseThrow(() -> new NotFoundException("No import '" + importId + "'"));
  }

  /** What became of one line: an outcome, or a rejection. */
  private record LineResult(ContactRegistry.Outcome outcome, Rejection rejection) {
    static LineResult rejected(long line, String field, String reason) {
      return new LineResult(null, new Rejection(line, field, reason));
    }
  }

  private LineResult importRow(CsvReader.Row row, Map<String, Integer> header, String importId) {
    if (row.error() != null) {
      return LineResult.rejected(row.line(), null, row.error());
    }
    List<String> f = row.fields();
    if (f.size() != header.size()) {
      return LineResult.rejected(row.line(), null, "expected " + header.size() + " fields as in the header, found " + f.size());
    }
    try {
      return new LineResult(tx.execute(status -> importLine(f, header, importId)), null);
    } catch (InvalidInputException e) {
      return LineResult.rejected(row.line(), columnOf(e.field()), e.getMessage());
    } catch (ConflictException e) {
      String field = e.getMessage().contains("'email'") ? "email" : e.getMessage().contains("phone") ? "phone" : "id";
      return LineResult.rejected(row.line(), field, e.getMessage().startsWith("SUPPRESSED") ? "SUPPRESSED" : e.getMessage());
    }
  }

  private ContactRegistry.Outcome importLine(List<String> f, Map<String, Integer> h, String importId) {
    String id = value(f, h, "id");
    String phone = value(f, h, "phone");
    String email = value(f, h, "email");
    if (id == null) {
      // Without the brand's id, the same person found again by phone or email: re-imports stay idempotent.
      Optional<Contact> known = phone != null ? registry.findByPhone(phone) : Optional.empty();
      if (known.isEmpty() && email != null) {
        known = registry.findByEmail(email);
      }
      id = known.map(Contact::id).orElse(null);
      if (id == null && phone == null && email == null) {
        throw new InvalidInputException("phone", "A line needs an id, a phone or an email");
      }
    }
    String customer = value(f, h, "customer");
    ContactInput input = new ContactInput(id, phone, email, value(f, h, "firstName"), value(f, h, "lastName"),
        value(f, h, "locale"), value(f, h, "timeZone"), value(f, h, "postalCode"), null,
        customer == null ? null : parseBoolean(customer), null);
    ContactRegistry.Saved saved = registry.save(input);
    boolean consentChanged = false;
    for (Map.Entry<String, Channel> col : CONSENT_COLUMNS.entrySet()) {
      String raw = value(f, h, col.getKey());
      if (raw == null) {
        continue;
      }
      ConsentStatus status = switch (raw.strip().toUpperCase(Locale.ROOT)) {
        case "GRANTED" -> ConsentStatus.GRANTED;
        case "WITHDRAWN" -> ConsentStatus.WITHDRAWN;
        default -> throw new InvalidInputException(col.getKey(), col.getKey() + " must be GRANTED, WITHDRAWN or empty");
      };
      String source = value(f, h, "consent_source");
      String collectedAt = value(f, h, "consent_collected_at");
      if (status == ConsentStatus.GRANTED && source == null) {
        throw new InvalidInputException("consent_source", "A granted consent needs consent_source (where it was collected)");
      }
      if (status == ConsentStatus.GRANTED && collectedAt == null) {
        throw new InvalidInputException("consent_collected_at", "A granted consent needs consent_collected_at (when)");
      }
      ConsentEvent event = new ConsentEvent(null, saved.contact().id(), col.getValue(), Purpose.MARKETING, status,
          status == ConsentStatus.GRANTED ? LegalBasis.CONSENT : null, ConsentMethod.IMPORT,
          source == null ? "import:" + importId : source, value(f, h, "consent_wording"), value(f, h, "consent_wording_version"),
          null, value(f, h, "consent_ip"), null, "import:" + importId, null,
          collectedAt == null ? null : instant(collectedAt), null);
      consentChanged |= ledger.appendIfChanged(event);
    }
    if (saved.outcome() == ContactRegistry.Outcome.UNCHANGED && consentChanged) {
      return ContactRegistry.Outcome.UPDATED;
    }
    return saved.outcome();
  }

  private Map<String, Integer> header(CsvReader csv) {
    CsvReader.Row row;
    try {
      row = csv.header();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (row == null) {
      throw new InvalidInputException("header", "Empty file: line 1 must be a header such as id,phone,email,...");
    }
    if (row.error() != null) {
      throw new InvalidInputException("header", "Line 1 (header): " + row.error());
    }
    Map<String, Integer> header = new LinkedHashMap<>();
    for (int i = 0; i < row.fields().size(); i++) {
      String name = row.fields().get(i).strip();
      String key = COLUMNS.get(name.toLowerCase(Locale.ROOT).replace("_", "").replace("-", ""));
      if (key == null) {
        throw new InvalidInputException("header", "Line 1 (header): unknown column '" + ContactFields.abbreviate(name)
            + "'; known: " + String.join(", ", new java.util.TreeSet<>(COLUMNS.values())));
      }
      if (header.put(key, i) != null) {
        throw new InvalidInputException("header", "Line 1 (header): column '" + name + "' appears twice");
      }
    }
    if (!header.containsKey("id") && !header.containsKey("phone") && !header.containsKey("email")) {
      throw new InvalidInputException("header", "Line 1 (header): a column id, phone or email is required");
    }
    return header;
  }

  private void progress(String id, long[] c, String status, Instant finishedAt) {
    jdbc.update("update contact_import set status = ?, lines = ?, imported = ?, updated = ?, unchanged = ?, rejected = ?, "
        + "finished_at = ? where id = ?", status, c[0], c[1], c[2], c[3], c[4],
        finishedAt == null ? null : Timestamp.from(finishedAt), id);
  }

  private static String value(List<String> fields, Map<String, Integer> header, String column) {
    Integer i = header.get(column);
    if (i == null) {
      return null;
    }
    String v = fields.get(i).strip();
    return v.isEmpty() ? null : v;
  }

  /** ISO instant, or a local date-time or date read in Europe/Paris. */
  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDateTime.parse(text).atZone(PARIS).toInstant();
      } catch (DateTimeParseException notLocal) {
        try {
          return LocalDate.parse(text).atStartOfDay(PARIS).toInstant();
        } catch (DateTimeParseException notADate) {
          throw new InvalidInputException("consent_collected_at",
              "consent_collected_at must be an ISO date-time such as 2025-03-01T10:15:00Z (got '" + ContactFields.abbreviate(text) + "')");
        }
      }
    }
  }

  private static Boolean parseBoolean(String s) {
    return switch (s.strip().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "oui" -> true;
      case "false", "0", "no", "non" -> false;
      default -> throw new InvalidInputException("customer", "customer must be true or false");
    };
  }

  private static String columnOf(String field) {
    return field == null ? null : COLUMNS.getOrDefault(field.toLowerCase(Locale.ROOT).replace("_", ""), field);
  }

  private static Map<String, String> columns() {
    Map<String, String> m = new HashMap<>();
    for (String c : List.of("id", "phone", "email", "firstName", "lastName", "locale", "timeZone", "postalCode", "customer",
        "sms_marketing", "email_marketing", "whatsapp_marketing", "rcs_marketing", "consent_source", "consent_wording",
        "consent_wording_version", "consent_collected_at", "consent_ip")) {
      m.put(c.toLowerCase(Locale.ROOT).replace("_", ""), c);
    }
    return Map.copyOf(m);
  }
}
