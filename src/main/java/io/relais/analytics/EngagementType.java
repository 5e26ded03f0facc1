package io.relais.analytics;

/** What happened to a message or a contact, as counted by the KPIs. */
public enum EngagementType {
  SENT,
  DELIVERED,
  FAILED,
  OPENED,
  CLICKED,
  REPLIED,
  OPTED_OUT,
  HANDED_OFF,
  AGENT_RESPONDED,
  /** An order attributed to a message; carries the revenue. */
  ORDERED,
  /** A 0–10 answer to the NPS question; carries the score. */
  NPS_SCORE,
  /** The contact fell in an A/B test's holdout: no message, measured for the incremental effect. */
  HELD_OUT
}
