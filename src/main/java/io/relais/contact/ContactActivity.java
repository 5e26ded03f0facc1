package io.relais.contact;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Marks what the CNIL counts as a prospect's "last active contact" (a reply, a click; never an
 * email open) and purchases, which make a contact a customer; the retention job reads both.
 */
@Component
public class ContactActivity {

  private final JdbcTemplate jdbc;
  private final Clock clock;

  public ContactActivity(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** The contact replied or clicked now. Do not call it for an email open. Unknown ids are ignored. */
  public void touch(String contactId) {
    jdbc.update("update contact set last_activity_at = ? where id = ? and erased = false and last_activity_at < ?",
        Timestamp.from(clock.instant()), contactId, Timestamp.from(clock.instant()));
  }

  /** The contact bought something at {@code at}: a customer from now on (soft opt-in becomes possible). */
  public void purchased(String contactId, Instant at) {
    Timestamp t = Timestamp.from(at);
    jdbc.update("update contact set customer = true, last_purchase_at = ? where id = ? and erased = false "
        + "and (last_purchase_at is null or last_purchase_at < ?)", t, contactId, t);
    jdbc.update("update contact set customer = true where id = ? and erased = false", contactId);
    touch(contactId);
  }
}
