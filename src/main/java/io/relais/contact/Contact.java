package io.relais.contact;

import java.time.ZoneId;
import java.util.Map;

/**
 * A customer of the brand, identified by the brand's own id (the business key of every journey
 * of that contact). Phone is E.164; time zone and holiday zone are always known (derived).
 */
public record Contact(
    String id,
    String phone,
    String email,
    String firstName,
    String lastName,
    String locale,
    ZoneId timeZone,
    String postalCode,
    HolidayZone holidayZone,
    Map<String, Object> attributes,
    boolean erased) {}
