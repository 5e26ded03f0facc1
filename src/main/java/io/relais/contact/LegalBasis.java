package io.relais.contact;

/** Why a message may be sent under the GDPR (domain-rules §2.1). */
public enum LegalBasis {
  CONSENT,
  /** Existing customer, analogous products of the same company (CPCE L34-5). */
  SOFT_OPT_IN,
  LEGITIMATE_INTEREST
}
