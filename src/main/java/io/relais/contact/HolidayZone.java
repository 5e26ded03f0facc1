package io.relais.contact;

/** Which public holidays apply to a contact (domain-rules §1.3). */
public enum HolidayZone {
  METROPOLE,
  ALSACE_MOSELLE
}
