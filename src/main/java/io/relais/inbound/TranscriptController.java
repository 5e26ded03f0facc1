package io.relais.inbound;

import io.relais.contact.ContactDirectory;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.web.NotFoundException;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/contacts/{id}/messages}: the whole conversation of a contact, every message in
 * and out in order, with the journey and step that sent or received it (agents read it).
 */
@RestController
public class TranscriptController {

  /** One line of a transcript. */
  public record TranscriptEntry(
      String id, Instant at, String direction, String channel, String category, String status, String body,
      String journey, Integer journeyVersion, String step, String processInstanceId, String variant, String reason) {

    static TranscriptEntry of(MessageRecord m) {
      return new TranscriptEntry(m.id(), m.createdAt(), m.direction().name(), m.channel().name(), m.category(), m.status(),
          m.body(), m.journeyKey(), m.journeyVersion(), m.stepId(), m.processInstanceId(), m.variant(), m.reason());
    }
  }

  private final MessageLog messageLog;
  private final ObjectProvider<ContactDirectory> contacts;

  public TranscriptController(MessageLog messageLog, ObjectProvider<ContactDirectory> contacts) {
    this.messageLog = messageLog;
    this.contacts = contacts;
  }

  @GetMapping("/api/contacts/{id}/messages")
  public List<TranscriptEntry> transcript(@PathVariable("id") String contactId) {
    List<MessageRecord> messages = messageLog.transcript(contactId);
    if (messages.isEmpty()) {
      ContactDirectory directory = contacts.getIfAvailable();
      if (directory == null || directory.find(contactId).isEmpty()) {
        throw new NotFoundException("No contact " + contactId);
      }
    }
    return messages.stream().map(TranscriptEntry::of).toList();
  }
}
