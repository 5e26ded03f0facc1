package io.relais.handoff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.contact.Channel;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.Contact;
import io.relais.contact.ContactDirectory;
import io.relais.contact.Purpose;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.camunda.spin.plugin.variable.SpinValues;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * What the agent's form shows, built when the task is created or claimed: the customer (name,
 * masked phone, channel, consents), the transcript newest last, the journey's context. It lives in
 * a task-local Json variable (no 4000-char limit) that disappears with the task.
 */
@Component
public class HandoffView {

  /** The newest messages shown; older ones stay in the message table. */
  static final int TRANSCRIPT_LIMIT = 100;

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("dd/MM HH:mm");
  private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

  private final ObjectProvider<ContactDirectory> contacts;
  private final ObjectProvider<ConsentPolicy> consents;
  private final MessageLog messages;
  private final ObjectMapper json = new ObjectMapper();

  public HandoffView(ObjectProvider<ContactDirectory> contacts, ObjectProvider<ConsentPolicy> consents, MessageLog messages) {
    this.contacts = contacts;
    this.consents = consents;
    this.messages = messages;
  }

  /** "Marie D. — retour produit": who and why, as Tasklist lists it. */
  public String taskName(String contactId, String reason) {
    Optional<Contact> contact = contact(contactId);
    String who = contact.map(HandoffView::shortName).orElse("Client");
    return reason == null || reason.isBlank() ? who : who + " — " + reason;
  }

  /** The form's data, as a Json variable. */
  public TypedValue build(String contactId, String reason, String channel, String contextText) {
    Optional<Contact> contact = contact(contactId);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("customerName", contact.map(HandoffView::fullName).orElse("Client inconnu"));
    view.put("phone", contact.map(Contact::phone).map(HandoffView::maskPhone).orElse("—"));
    view.put("channel", channel == null ? "—" : channel);
    view.put("consents", consentsLine(contactId));
    view.put("reason", reason == null || reason.isBlank() ? "—" : reason);
    view.put("transcript", transcript(contactId));
    view.put("context", contextText == null || contextText.isBlank() ? "Aucun contexte transmis par le parcours." : contextText);
    try {
      return SpinValues.jsonValue(json.writeValueAsString(view)).create();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the handoff view", e);
    }
  }

  /** The conversation as Markdown, oldest first so that the newest message is last. */
  String transcript(String contactId) {
    List<MessageRecord> all = messages.transcript(contactId);
    List<MessageRecord> shown = all.subList(Math.max(0, all.size() - TRANSCRIPT_LIMIT), all.size());
    if (shown.isEmpty()) {
      return "_Aucun message._";
    }
    StringBuilder md = new StringBuilder();
    for (MessageRecord m : shown) {
      md.append("**").append(author(m)).append("** · ").append(WHEN.format(m.createdAt().atZone(PARIS)))
          .append(" · ").append(m.channel()).append("  \n")
          .append(escape(m.body() == null ? "" : m.body()).replace("\n", "  \n"))
          .append("\n\n");
    }
    return md.toString().trim();
  }

  private static String author(MessageRecord m) {
    if (m.direction() == Direction.IN) {
      return "Client";
    }
    return HandoffVariables.STEP_AGENT_REPLY.equals(m.stepId()) ? "Conseiller" : "Relais";
  }

  private String consentsLine(String contactId) {
    ConsentPolicy policy = consents.getIfAvailable();
    if (policy == null) {
      return "inconnus";
    }
    StringBuilder line = new StringBuilder("Marketing : ");
    for (Channel c : Channel.values()) {
      if (line.length() > "Marketing : ".length()) {
        line.append(", ");
      }
      line.append(c).append(policy.check(contactId, c, Purpose.MARKETING).allowed() ? " oui" : " non");
    }
    return line.toString();
  }

  private Optional<Contact> contact(String contactId) {
    ContactDirectory directory = contacts.getIfAvailable();
    return directory == null || contactId == null ? Optional.empty() : directory.find(contactId);
  }

  static String shortName(Contact c) {
    String first = c.firstName() == null ? "" : c.firstName().trim();
    String last = c.lastName() == null ? "" : c.lastName().trim();
    if (first.isEmpty() && last.isEmpty()) {
      return c.phone() == null ? "Client" : "Client " + maskPhone(c.phone());
    }
    if (last.isEmpty()) {
      return first;
    }
    String initial = last.substring(0, last.offsetByCodePoints(0, 1)).toUpperCase(java.util.Locale.FRENCH) + ".";
    return first.isEmpty() ? initial : first + " " + initial;
  }

  static String fullName(Contact c) {
    String name = ((c.firstName() == null ? "" : c.firstName()) + " " + (c.lastName() == null ? "" : c.lastName())).trim();
    return name.isEmpty() ? "Client sans nom" : name;
  }

  /** "+33 6 •• •• •• 78": enough for the agent to recognise a number, not to dial it. */
  static String maskPhone(String e164) {
    if (e164 == null || e164.length() < 6) {
      return "—";
    }
    String last2 = e164.substring(e164.length() - 2);
    if (e164.startsWith("+33") && e164.length() == 12) {
      return "+33 " + e164.charAt(3) + " •• •• •• " + last2;
    }
    return e164.substring(0, 3) + " " + "•".repeat(e164.length() - 5) + " " + last2;
  }

  /** Customer text must not turn into Markdown (links, headings, HTML) in the agent's form. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char ch : text.toCharArray()) {
      if ("\\`*_{}[]()<>#+-.!|~".indexOf(ch) >= 0) {
        out.append('\\');
      }
      out.append(ch);
    }
    return out.toString();
  }
}
