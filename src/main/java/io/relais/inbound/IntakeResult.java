package io.relais.inbound;

/**
 * What the intake did with a message: stored (or recognised as a replay of {@code messageId}).
 *
 * @param flag why a stored message needs a look (e.g. an unknown recipient address), or null
 */
public record IntakeResult(String messageId, String contactId, boolean duplicate, String flag) {}
