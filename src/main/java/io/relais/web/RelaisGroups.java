package io.relais.web;

import java.util.List;

/** The Camunda identity groups Relais knows, and what each may do. */
public final class RelaisGroups {

  public static final String ADMINS = "camunda-admin";
  public static final String MARKETERS = "marketers";
  public static final String AGENTS = "agents";
  public static final String SUPERVISORS = "supervisors";
  /** A specialised agents' queue (after-sales) that journeys may hand conversations to. */
  public static final String AFTER_SALES = "aftersales";
  public static final String INTEGRATIONS = "integrations";

  /** Groups allowed to read and write everything under {@code /api}. */
  public static final List<String> API_WRITERS = List.of(ADMINS, MARKETERS, INTEGRATIONS);

  /** Groups allowed to read under {@code /api} (agents read contacts and transcripts). */
  public static final List<String> API_READERS =
      List.of(ADMINS, MARKETERS, INTEGRATIONS, AGENTS, SUPERVISORS, AFTER_SALES);

  private RelaisGroups() {}
}
