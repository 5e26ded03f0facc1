package io.relais.outbound;

import io.relais.contact.Channel;

/**
 * Published (Spring application event) once a message row is committed as handed to its provider
 * (or "delivered" by the simulator), so that live pages can show it at once.
 */
public record MessageSentEvent(String messageId, String contactId, Channel channel) {}
