package io.relais.contact;

import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

/**
 * The public unsubscribe and preferences page behind each contact's link ({@code /u/{token}}):
 * French, one checkbox per channel and purpose; every change is a ledger event with method LINK
 * and the token, IP and user agent as proof.
 */
@RestController
public class PreferencesPage {

  private final PreferenceLinks links;
  private final ConsentLedger ledger;
  private final ContactRegistry registry;
  private final ConsentProperties properties;

  public PreferencesPage(PreferenceLinks links, ConsentLedger ledger, ContactRegistry registry, ConsentProperties properties) {
    this.links = links;
    this.ledger = ledger;
    this.registry = registry;
    this.properties = properties;
  }

  @GetMapping(value = "/u/{token}", produces = MediaType.TEXT_HTML_VALUE)
  public ResponseEntity<String> show(@PathVariable String token) {
    Optional<String> contactId = links.contactFor(token);
    if (contactId.isEmpty()) {
      return page(HttpStatus.NOT_FOUND, unknownLink());
    }
    return page(HttpStatus.OK, form(token, contactId.get(), null));
  }

  @PostMapping(value = "/u/{token}", produces = MediaType.TEXT_HTML_VALUE)
  @Transactional
  public ResponseEntity<String> save(@PathVariable String token, @RequestParam MultiValueMap<String, String> form,
      HttpServletRequest request) {
    Optional<String> contactId = links.contactFor(token);
    if (contactId.isEmpty()) {
      return page(HttpStatus.NOT_FOUND, unknownLink());
    }
    String id = contactId.get();
    boolean everything = form.containsKey("all");
    String ip = request.getRemoteAddr();
    String userAgent = truncate(request.getHeader("User-Agent"), 1000);
    int changes = 0;
    Map<Channel, Boolean> reachable = reachable(id);
    for (Channel channel : Channel.values()) {
      if (!reachable.get(channel)) {
        continue; // not shown on the page, so absent from the form: not a withdrawal
      }
      for (Purpose purpose : Purpose.values()) {
        boolean wanted = !everything && form.containsKey(field(channel, purpose));
        if (everything && purpose == Purpose.TRANSACTIONAL) {
          continue; // "unsubscribe from everything" means marketing; service messages stay unless unticked
        }
        if (wanted == allowed(id, channel, purpose)) {
          continue;
        }
        ConsentEvent event = ConsentEvent.of(id, channel, purpose, wanted ? ConsentStatus.GRANTED : ConsentStatus.WITHDRAWN,
            wanted ? LegalBasis.CONSENT : null, ConsentMethod.LINK, "preferences-page", "u/" + token)
            .withWeb(ip, userAgent);
        if (wanted) {
          event = event.withWording(label(channel, purpose), "preferences-v1");
        }
        ledger.append(event);
        changes++;
      }
    }
    String notice = changes == 0 ? "Aucun changement : vos préférences étaient déjà celles-ci."
        : everything ? "C'est fait : vous ne recevrez plus nos offres, sur aucun canal."
        : "Vos préférences sont enregistrées.";
    return page(HttpStatus.OK, form(token, id, notice));
  }

  private boolean allowed(String contactId, Channel channel, Purpose purpose) {
    ConsentStatus latest = ledger.currentStatus(contactId, channel, purpose);
    return purpose == Purpose.MARKETING ? latest == ConsentStatus.GRANTED : latest != ConsentStatus.WITHDRAWN;
  }

  private String form(String token, String contactId, String notice) {
    Map<Channel, Boolean> reachable = reachable(contactId);
    StringBuilder html = new StringBuilder();
    html.append("<h1>Vos préférences de communication</h1>");
    html.append("<p>Choisissez ce que ").append(esc(properties.brandName()))
        .append(" peut vous envoyer. Décochez une case pour ne plus recevoir ces messages.</p>");
    if (notice != null) {
      html.append("<p class=\"notice\" role=\"status\">").append(esc(notice)).append("</p>");
    }
    html.append("<form method=\"post\" action=\"/u/").append(esc(token)).append("\">");
    for (Purpose purpose : List.of(Purpose.MARKETING, Purpose.TRANSACTIONAL)) {
      html.append("<fieldset><legend>").append(purpose == Purpose.MARKETING ? "Offres et nouveautés" :
          "Messages de service (commandes, livraisons, rendez-vous)").append("</legend>");
      for (Channel channel : Channel.values()) {
        if (!reachable.get(channel)) {
          continue;
        }
        String name = field(channel, purpose);
        html.append("<label><input type=\"checkbox\" name=\"").append(name).append("\"")
            .append(allowed(contactId, channel, purpose) ? " checked" : "").append("> ")
            .append(esc(label(channel, purpose))).append("</label>");
      }
      html.append("</fieldset>");
    }
    html.append("<button type=\"submit\">Enregistrer mes choix</button>");
    html.append("<button type=\"submit\" name=\"all\" value=\"1\" class=\"secondary\">Ne plus recevoir aucune offre</button>");
    html.append("</form>");
    return html.toString();
  }

  /** The channels the contact has an address for: only those are shown and changed. */
  private Map<Channel, Boolean> reachable(String contactId) {
    Contact contact = registry.find(contactId).orElseThrow();
    Map<Channel, Boolean> reachable = new EnumMap<>(Channel.class);
    for (Channel c : Channel.values()) {
      reachable.put(c, c == Channel.EMAIL ? contact.email() != null : contact.phone() != null);
    }
    return reachable;
  }

  private String label(Channel channel, Purpose purpose) {
    String by = switch (channel) {
      case SMS -> "par SMS";
      case WHATSAPP -> "sur WhatsApp";
      case EMAIL -> "par e-mail";
      case RCS -> "par RCS";
    };
    return (purpose == Purpose.MARKETING ? "Je souhaite recevoir les offres de " + properties.brandName() + " "
        : "Je souhaite recevoir les messages de service de " + properties.brandName() + " ") + by;
  }

  private static String field(Channel channel, Purpose purpose) {
    return channel.name() + "_" + purpose.name();
  }

  private static String unknownLink() {
    return "<h1>Lien inconnu</h1><p>Ce lien de désinscription n'est pas ou plus valable. "
        + "Pour ne plus recevoir de SMS, répondez STOP à l'un de nos messages.</p>";
  }

  private static ResponseEntity<String> page(HttpStatus status, String body) {
    String html = "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<meta name=\"robots\" content=\"noindex\"><title>Vos préférences</title><style>"
        + "body{font-family:system-ui,sans-serif;max-width:34rem;margin:0 auto;padding:1rem;line-height:1.5;color:#222}"
        + "fieldset{border:1px solid #ccc;border-radius:.5rem;margin:1rem 0;padding:.5rem 1rem}"
        + "label{display:block;padding:.6rem 0;font-size:1.05rem}input[type=checkbox]{transform:scale(1.4);margin-right:.6rem}"
        + "button{display:block;width:100%;padding:.9rem;margin:.6rem 0;font-size:1rem;border-radius:.5rem;border:0;"
        + "background:#1a56db;color:#fff}button.secondary{background:#eee;color:#222}"
        + ".notice{background:#e8f5e9;padding:.6rem;border-radius:.4rem}</style></head><body>" + body + "</body></html>";
    return ResponseEntity.status(status).cacheControl(CacheControl.noStore())
        .header("Referrer-Policy", "no-referrer").header("X-Robots-Tag", "noindex")
        .contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8)).body(html);
  }

  private static String esc(String s) {
    return HtmlUtils.htmlEscape(s, "UTF-8");
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
