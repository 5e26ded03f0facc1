package io.relais.outbound;

import io.relais.contact.Channel;
import java.util.Map;

/**
 * A message to send through the one pipeline (policy, render, record, send, outcome).
 *
 * @param idempotencyKey unique per step execution (e.g. process instance + activity instance);
 *     a second request with the same key sends nothing and returns the first result
 * @param text the template text, with {@code {{firstName}}}-style placeholders from the contact's
 *     profile and {@code variables}
 * @param contentSid a WhatsApp approved template (Twilio Content SID), for use outside the 24 h window
 * @param expectsReply the step waits for an answer (refused from a one-way alphanumeric sender)
 * @param variant the A/B variant name, if any
 */
public record SendRequest(
    String idempotencyKey,
    String contactId,
    Channel channel,
    MessageCategory category,
    String text,
    String subject,
    Map<String, Object> variables,
    String contentSid,
    boolean expectsReply,
    JourneyStep step,
    String variant) {}
