package io.relais.contact;

import io.relais.web.ConflictException;
import io.relais.web.NotFoundException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The personal, unguessable link to a contact's preferences page ({@code /u/{token}}), which the
 * outbound pipeline puts in every marketing email (through {@link io.relais.outbound.UnsubscribeLinks}).
 * One token per contact, made on first use; the page covers every channel.
 */
@Component
public class PreferenceLinks implements io.relais.outbound.UnsubscribeLinks {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final JdbcTemplate jdbc;
  private final String publicBaseUrl;

  public PreferenceLinks(JdbcTemplate jdbc, @Value("${relais.public-base-url:http://localhost:8080}") String publicBaseUrl) {
    this.jdbc = jdbc;
    this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
  }

  /** The absolute URL of the contact's preferences page; 404 unknown contact, 409 erased. */
  public String urlFor(String contactId) {
    return publicBaseUrl + "/u/" + tokenFor(contactId);
  }

  /** For the send pipeline: the link, or none for an unknown or erased contact (never an exception). */
  @Override
  public Optional<String> urlFor(String contactId, Channel channel) {
    // one read per send once the contact has its token (every send after its first)
    List<String> token = jdbc.queryForList("select unsubscribe_token from contact where id = ? and erased = false", String.class, contactId);
    if (token.isEmpty()) {
      return Optional.empty();
    }
    if (token.get(0) != null) {
      return Optional.of(publicBaseUrl + "/u/" + token.get(0));
    }
    try {
      return Optional.of(urlFor(contactId));
    } catch (NotFoundException | ConflictException e) {
      return Optional.empty(); // erased or deleted since the read above
    }
  }

  /** The contact's token, created if it has none. */
  public String tokenFor(String contactId) {
    List<Map<String, Object>> rows = jdbc.queryForList("select erased, unsubscribe_token from contact where id = ?", contactId);
    if (rows.isEmpty()) {
      throw new NotFoundException("No contact '" + contactId + "'");
    }
    if (Boolean.TRUE.equals(rows.get(0).get("erased"))) {
      throw new ConflictException("Contact '" + contactId + "' was erased (RGPD)");
    }
    String token = (String) rows.get(0).get("unsubscribe_token");
    if (token != null) {
      return token;
    }
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    // "is null": two nodes creating at once keep the first token, and both read it back.
    jdbc.update("update contact set unsubscribe_token = ? where id = ? and unsubscribe_token is null",
        Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), contactId);
    return jdbc.queryForObject("select unsubscribe_token from contact where id = ?", String.class, contactId);
  }

  /** The contact a token belongs to (none for an unknown token or an erased contact). */
  public Optional<String> contactFor(String token) {
    if (token == null || token.length() < 20 || token.length() > 64) {
      return Optional.empty();
    }
    return jdbc.queryForList("select id from contact where unsubscribe_token = ? and erased = false", String.class, token)
        .stream().findFirst();
  }
}
