package io.relais.contact;

/**
 * "May I send this (channel, purpose) to this contact now, and why not": the one question the send
 * pipeline asks the consent ledger before every message. Must be fast (one indexed read).
 */
public interface ConsentPolicy {

  ConsentVerdict check(String contactId, Channel channel, Purpose purpose);
}
