package io.relais.contact;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import io.relais.web.InvalidInputException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Normalises and validates what a brand sends about a contact (phone to E.164, email, ids, time
 * zone and holiday zone derived when absent). Plain Java, so that the rules are tested without Spring.
 */
public final class ContactFields {

  private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();
  private static final Pattern EMAIL =
      Pattern.compile("^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
  private static final Pattern E164_SHAPE = Pattern.compile("\\+[1-9][0-9]{6,14}");
  private static final Pattern ID = Pattern.compile("^[A-Za-z0-9._:@+-]{1,64}$");
  private static final Pattern POSTAL_CODE = Pattern.compile("^[A-Za-z0-9 -]{2,16}$");
  private static final Pattern LOCALE = Pattern.compile("^[a-zA-Z]{2,3}([_-][A-Za-z0-9]{2,8})*$");
  public static final ZoneId DEFAULT_ZONE = ZoneId.of("Europe/Paris");

  /** Time zone per region of the number: France and its overseas departments and territories first. */
  private static final Map<String, String> ZONE_BY_REGION = Map.ofEntries(
      Map.entry("FR", "Europe/Paris"), Map.entry("MC", "Europe/Monaco"), Map.entry("RE", "Indian/Reunion"),
      Map.entry("YT", "Indian/Mayotte"), Map.entry("GP", "America/Guadeloupe"), Map.entry("MQ", "America/Martinique"),
      Map.entry("GF", "America/Cayenne"), Map.entry("BL", "America/St_Barthelemy"), Map.entry("MF", "America/Marigot"),
      Map.entry("PM", "America/Miquelon"), Map.entry("NC", "Pacific/Noumea"), Map.entry("PF", "Pacific/Tahiti"),
      Map.entry("WF", "Pacific/Wallis"), Map.entry("KM", "Indian/Comoro"), Map.entry("BE", "Europe/Brussels"),
      Map.entry("CH", "Europe/Zurich"), Map.entry("LU", "Europe/Luxembourg"), Map.entry("DE", "Europe/Berlin"),
      Map.entry("ES", "Europe/Madrid"), Map.entry("IT", "Europe/Rome"), Map.entry("GB", "Europe/London"),
      Map.entry("IE", "Europe/Dublin"), Map.entry("PT", "Europe/Lisbon"), Map.entry("NL", "Europe/Amsterdam"),
      Map.entry("AT", "Europe/Vienna"), Map.entry("MA", "Africa/Casablanca"), Map.entry("DZ", "Africa/Algiers"),
      Map.entry("TN", "Africa/Tunis"), Map.entry("SN", "Africa/Dakar"), Map.entry("CI", "Africa/Abidjan"),
      Map.entry("CA", "America/Toronto"), Map.entry("US", "America/New_York"));

  private ContactFields() {}

  /**
   * {@code raw} without its channel prefix when it has the shape of an E.164 number ({@code +} and
   * 7 to 15 digits), else null. Not a validation: the shape of what {@link #phone} stores, to look a
   * number up as given before parsing it.
   */
  public static String e164Shaped(String raw) {
    if (raw == null) {
      return null;
    }
    String text = withoutChannelPrefix(raw.strip());
    return E164_SHAPE.matcher(text).matches() ? text : null;
  }

  private static String withoutChannelPrefix(String text) {
    return text.startsWith("whatsapp:") ? text.substring("whatsapp:".length()) : text;
  }

  /** E.164 form of {@code raw}, read as a number of {@code defaultRegion} when it has no country code. */
  public static String phone(String raw, String defaultRegion) {
    String text = withoutChannelPrefix(raw.strip());
    if (text.startsWith("00")) {
      text = "+" + text.substring(2);
    }
    try {
      PhoneNumber number = PHONES.parse(text, defaultRegion);
      if (!PHONES.isValidNumber(number) && "FR".equals(defaultRegion) && !text.startsWith("+")) {
        number = overseas(text).orElse(number);
      }
      if (!PHONES.isValidNumber(number)) {
        throw new InvalidInputException("phone", "Not a valid phone number: '" + abbreviate(raw) + "'");
      }
      return PHONES.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    } catch (NumberParseException e) {
      throw new InvalidInputException("phone", "Not a phone number: '" + abbreviate(raw) + "'");
    }
  }

  /**
   * French overseas departments share the national plan (0692 in Réunion, 0690 in Guadeloupe...),
   * but libphonenumber files them under their own regions: try those for a national number.
   */
  private static java.util.Optional<PhoneNumber> overseas(String text) {
    for (String region : OVERSEAS) {
      try {
        PhoneNumber n = PHONES.parse(text, region);
        if (PHONES.isValidNumberForRegion(n, region)) {
          return java.util.Optional.of(n);
        }
      } catch (NumberParseException e) {
        return java.util.Optional.empty();
      }
    }
    return java.util.Optional.empty();
  }

  private static final java.util.List<String> OVERSEAS = java.util.List.of("RE", "YT", "GP", "MQ", "GF", "BL", "MF", "PM");

  /** The time zone of the country or territory of an E.164 number; Europe/Paris when unknown. */
  public static ZoneId zoneOf(String e164) {
    if (e164 == null) {
      return DEFAULT_ZONE;
    }
    try {
      String region = PHONES.getRegionCodeForNumber(PHONES.parse(e164, "ZZ"));
      String zone = region == null ? null : ZONE_BY_REGION.get(region);
      return zone == null ? DEFAULT_ZONE : ZoneId.of(zone);
    } catch (NumberParseException e) {
      return DEFAULT_ZONE;
    }
  }

  /** A given time zone id, checked. */
  public static ZoneId zone(String id) {
    try {
      return ZoneId.of(id.strip());
    } catch (DateTimeException e) {
      throw new InvalidInputException("timeZone", "Unknown time zone: '" + abbreviate(id) + "'");
    }
  }

  /** Lower-cased, validated email address. */
  public static String email(String raw) {
    String email = raw.strip().toLowerCase(Locale.ROOT);
    if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      throw new InvalidInputException("email", "Not a valid email address: '" + abbreviate(raw) + "'");
    }
    return email;
  }

  /** A brand's contact id: 1 to 64 letters, digits or {@code . _ : @ + -}. */
  public static String id(String raw) {
    if (raw == null || !ID.matcher(raw).matches()) {
      throw new InvalidInputException("id", "A contact id is 1 to 64 letters, digits or . _ : @ + - (got '" + abbreviate(raw) + "')");
    }
    return raw;
  }

  public static String postalCode(String raw) {
    String code = raw.strip();
    if (!POSTAL_CODE.matcher(code).matches()) {
      throw new InvalidInputException("postalCode", "Not a postal code: '" + abbreviate(raw) + "'");
    }
    return code;
  }

  public static String locale(String raw) {
    String locale = raw.strip();
    if (!LOCALE.matcher(locale).matches()) {
      throw new InvalidInputException("locale", "Not a locale such as fr-FR: '" + abbreviate(raw) + "'");
    }
    return locale.replace('_', '-');
  }

  /** Name fields: trimmed, at most 200 characters, no control characters. */
  public static String name(String field, String raw) {
    String name = raw.strip();
    if (name.length() > 200 || name.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidInputException(field, field + " must be at most 200 printable characters");
    }
    return name.isEmpty() ? null : name;
  }

  /** Alsace-Moselle for French postal codes of départements 57, 67 and 68; metropolitan otherwise. */
  public static HolidayZone holidayZone(String postalCode) {
    if (postalCode != null && postalCode.length() == 5
        && (postalCode.startsWith("57") || postalCode.startsWith("67") || postalCode.startsWith("68"))) {
      return HolidayZone.ALSACE_MOSELLE;
    }
    return HolidayZone.METROPOLE;
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "null";
    }
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
