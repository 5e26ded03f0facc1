package io.relais.contact;

/** How a consent event was collected. */
public enum ConsentMethod {
  CHECKBOX,
  DOUBLE_OPT_IN,
  KEYWORD,
  LINK,
  IMPORT,
  AGENT,
  API,
  PROVIDER
}
