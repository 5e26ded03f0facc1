package io.relais.contact;

import java.time.Period;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the contact registry ({@code relais.contact.*}): the region a national phone number
 * belongs to, and how long an inactive prospect is kept (CNIL: 3 years).
 */
@ConfigurationProperties(prefix = "relais.contact")
public record ContactProperties(String defaultRegion, Period retention, String retentionCron) {

  public ContactProperties {
    defaultRegion = defaultRegion == null ? "FR" : defaultRegion;
    retention = retention == null ? Period.ofYears(3) : retention;
    retentionCron = retentionCron == null ? "0 30 3 * * *" : retentionCron;
  }
}
