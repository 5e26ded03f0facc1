package io.relais.handoff;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the human handoff ({@code relais.handoff.*}): how long a customer may wait before
 * a holding message and an escalation, when agents work, and the texts the customer receives.
 *
 * @param sla unclaimed for this long (counted from the agents' opening when out of hours): the
 *     customer gets the holding message
 * @param escalation unclaimed for this long: the task moves to {@code escalationQueue}
 * @param replyTimeout after an agent's reply, the customer's silence for this long closes the handoff
 * @param holdingText sent when the SLA is breached; {@code {{minutes}}} is the expected delay
 * @param outOfHoursText sent at once outside agents' hours; {@code {{when}}} is the next
 *     opening, {@code {{faqUrl}}} the brand's FAQ link
 */
@ConfigurationProperties("relais.handoff")
public record HandoffProperties(
    @DefaultValue("PT5M") Duration sla,
    @DefaultValue("PT30M") Duration escalation,
    @DefaultValue("P1D") Duration replyTimeout,
    @DefaultValue("agents") String defaultQueue,
    @DefaultValue("supervisors") String escalationQueue,
    @DefaultValue Hours hours,
    @DefaultValue("Un conseiller va vous répondre d'ici {{minutes}} minutes.") String holdingText,
    @DefaultValue(
            "Nos conseillers sont disponibles du lundi au vendredi de 9 h à 18 h. Un conseiller vous "
                + "répondra {{when}}. En attendant, vous trouverez peut-être la réponse ici : {{faqUrl}}")
        String outOfHoursText) {

  /**
   * Agents' working hours: {@code relais.handoff.hours.days}, {@code .opens}, {@code .closes},
   * {@code .zone}, and whether French public holidays ({@code .holidays}) close the desk.
   */
  public record Hours(
      @DefaultValue({"MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"}) Set<DayOfWeek> days,
      @DefaultValue("09:00") LocalTime opens,
      @DefaultValue("18:00") LocalTime closes,
      @DefaultValue("Europe/Paris") ZoneId zone,
      @DefaultValue("true") boolean holidays) {}
}
