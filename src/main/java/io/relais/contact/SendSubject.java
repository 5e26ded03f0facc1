package io.relais.contact;

/**
 * A contact as a send decides on it: the contact, its consent verdict for the message's channel
 * and purpose (null when the message needs no consent: a compliance answer), and whether a
 * handoff of its conversation to an agent is open.
 */
public record SendSubject(Contact contact, ConsentVerdict verdict, boolean handoffOpen) {}
