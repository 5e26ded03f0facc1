package io.relais.inbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Finds a French postal address in a customer's reply ("Je serai absent, livrez au 12 rue de la
 * Paix 75002 Paris"): number, street, five-digit postal code, city. Journeys use it as {@code
 * ${addressExtractor.extract(replyText)}} (the address on one line, or null).
 */
@Component("addressExtractor")
public class AddressExtractor {

  /** A street address as typed by the customer. */
  public record Address(String street, String postalCode, String city) {

    /** "12 rue de la Paix, 75002 Paris". */
    public String oneLine() {
      return street + ", " + postalCode + " " + city;
    }
  }

  private static final String STREET_TYPES =
      "rue|avenue|av|bd|boulevard|place|pl|chemin|all[ée]e|impasse|quai|route|rte|cours|square|passage|r[ée]sidence|"
          + "lotissement|voie|sentier|faubourg|fbg|villa|cit[ée]|hameau|lieu-dit|parvis|promenade|esplanade|mail|rond-point|sq";
  private static final Pattern ADDRESS = Pattern.compile(
      "(\\d{1,4}(?:\\s?(?:bis|ter|quater|[a-d]))?,?\\s+(?:" + STREET_TYPES + ")\\.?\\s+[^,;\\n\\d]{1,80}?)"
          + "\\s*,?\\s*(\\d{5})\\s+([\\p{L}][\\p{L}'’ -]{0,60})",
      Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
  /** Words after the city that are not part of it ("... 75002 Paris merci demain"). */
  private static final Set<String> AFTER_CITY = Set.of(
      "merci", "svp", "stp", "s'il", "demain", "aujourd'hui", "a", "à", "car", "pour", "je", "jusqu'au", "jusqu'à",
      "des", "dès", "entre", "le", "la", "les", "du", "au", "avant", "apres", "après", "ce", "cette", "et", "bonne", "cordialement", "bonjour");
  private static final Set<String> CITY_ARTICLES = Set.of("le", "la", "les", "l'");

  /** The address in {@code text} on one line, or null (for BPMN expressions). */
  public String extract(String text) {
    return find(text).map(Address::oneLine).orElse(null);
  }

  /** The first address in {@code text}. */
  public static Optional<Address> find(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    Matcher m = ADDRESS.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    String street = m.group(1).replaceAll("\\s+", " ").trim();
    String city = city(m.group(3));
    if (city.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Address(street, m.group(2), city));
  }

  private static String city(String tail) {
    List<String> kept = new ArrayList<>();
    for (String word : tail.trim().split("\\s+")) {
      String lower = word.toLowerCase(Locale.FRENCH);
      boolean leadingArticle = kept.isEmpty() && CITY_ARTICLES.contains(lower);
      if (!leadingArticle && AFTER_CITY.contains(lower) || kept.size() == 4) {
        break;
      }
      kept.add(word);
    }
    return String.join(" ", kept).replaceAll("[\\s'’-]+$", "");
  }
}
