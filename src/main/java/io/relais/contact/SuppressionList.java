package io.relais.contact;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Phones and emails never to be targeted again (erased contacts), kept only as salted hashes
 * (HMAC-SHA256 with a secret generated once per installation and stored in the database, so that
 * every node hashes alike and a leaked table alone cannot be reversed by a phone-number dictionary).
 */
@Component
public class SuppressionList {

  public static final String REASON_ERASED = "ERASED";

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private volatile byte[] salt;

  public SuppressionList(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** Adds a normalised phone (E.164) or email (lower case); nothing when null or already there. */
  public void add(String kind, String value, String reason) {
    if (value == null) {
      return;
    }
    // Insert-if-absent rather than catching a duplicate: on PostgreSQL a failed insert would
    // abort the caller's transaction (an erasure).
    String hash = hash(value);
    jdbc.update("insert into suppression(hash, kind, reason, created_at) select ?,?,?,? "
            + "where not exists (select 1 from suppression where hash = ?)",
        hash, kind, reason, Timestamp.from(clock.instant()), hash);
  }

  /** Whether a normalised phone or email is suppressed. */
  public boolean contains(String value) {
    if (value == null) {
      return false;
    }
    Integer n = jdbc.queryForObject("select count(*) from suppression where hash = ?", Integer.class, hash(value));
    return n != null && n > 0;
  }

  String hash(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(salt(), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private byte[] salt() {
    byte[] s = salt;
    if (s == null) {
      s = HexFormat.of().parseHex(loadOrCreateSalt());
      salt = s;
    }
    return s;
  }

  private String loadOrCreateSalt() {
    var existing = jdbc.queryForList("select secret_value from contact_secret where name = 'suppression-salt'", String.class);
    if (!existing.isEmpty()) {
      return existing.get(0);
    }
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    jdbc.update("insert into contact_secret(name, secret_value) select 'suppression-salt', ? "
        + "where not exists (select 1 from contact_secret where name = 'suppression-salt')", HexFormat.of().formatHex(fresh));
    return jdbc.queryForObject("select secret_value from contact_secret where name = 'suppression-salt'", String.class);
  }
}
