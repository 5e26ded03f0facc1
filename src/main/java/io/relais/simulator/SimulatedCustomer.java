package io.relais.simulator;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.relais.contact.Channel;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.outbound.MessageCategory;
import io.relais.outbound.OutboundProperties;
import io.relais.simulator.SimulatedProviders.WebhookAnswer;
import io.relais.simulator.SimulatorContacts.TestContact;
import io.relais.web.ConflictException;
import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.MessageCorrelationResult;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.server.ResponseStatusException;

/**
 * What a customer does in the simulator: reply on their phone, open an email, and what their shop
 * does: raise business events. Replies and opens go to Relais' own webhooks as provider traffic;
 * business events go to the engine by message correlation, as {@code POST /engine-rest/message}.
 */
@Service
public class SimulatedCustomer {

  static final int MAX_REPLY_LENGTH = 1600;
  private static final Pattern CONTACT_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,64}");
  private static final String SIMULATOR_ACCOUNT_SID = "AC" + "0".repeat(32);

  private final SimulatorContacts contacts;
  private final SimulatedProviders providers;
  private final MessageLog messages;
  private final RuntimeService runtime;
  private final RepositoryService repository;
  private final SimulatorProperties properties;
  private final OutboundProperties outbound;
  private final Clock clock;

  public SimulatedCustomer(
      SimulatorContacts contacts, SimulatedProviders providers, MessageLog messages, RuntimeService runtime,
      RepositoryService repository, SimulatorProperties properties, OutboundProperties outbound, Clock clock) {
    this.contacts = contacts;
    this.providers = providers;
    this.messages = messages;
    this.runtime = runtime;
    this.repository = repository;
    this.properties = properties;
    this.outbound = outbound;
    this.clock = clock;
  }

  /** Adds a contact (already created through the contacts API) to the simulator's list. */
  public TestContact register(String id, String firstName, String phone, String email, String user) {
    if (id == null || !CONTACT_ID.matcher(id).matches()) {
      throw new InvalidInputException("id", "A contact id of 1 to 64 letters, digits or ._:@- is required");
    }
    if (email != null && !email.isBlank() && !email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
      throw new InvalidInputException("email", "Not an email address: " + email);
    }
    return contacts.register(
        id, blankToNull(firstName), e164(phone), blankToNull(email), user == null ? "unknown" : user);
  }

  /** The contact's reply, sent as Twilio would post it; returns the simulated MessageSid. */
  public String reply(String contactId, String channelName, String text) {
    TestContact contact = contact(contactId);
    Channel channel = parseChannel(channelName);
    if (channel != Channel.SMS && channel != Channel.WHATSAPP) {
      throw new InvalidInputException("channel", "The simulator replies by SMS or WHATSAPP");
    }
    if (text == null || text.isBlank()) {
      throw new InvalidInputException("text", "The reply is empty");
    }
    if (text.length() > MAX_REPLY_LENGTH) {
      throw new InvalidInputException("text", "A reply has at most " + MAX_REPLY_LENGTH + " characters");
    }
    boolean whatsapp = channel == Channel.WHATSAPP;
    String sid = "SM" + randomHex();
    Map<String, String> form = new LinkedHashMap<>();
    form.put("ToCountry", "FR");
    form.put("SmsMessageSid", sid);
    form.put("NumMedia", "0");
    form.put("SmsSid", sid);
    form.put("SmsStatus", "received");
    form.put("Body", text);
    form.put("To", brandAddress(contactId, channel));
    form.put("NumSegments", "1");
    form.put("MessageSid", sid);
    String accountSid = outbound.twilio().accountSid();
    form.put("AccountSid", accountSid == null || accountSid.isBlank() ? SIMULATOR_ACCOUNT_SID : accountSid);
    form.put("From", (whatsapp ? "whatsapp:" : "") + contact.phone());
    form.put("ApiVersion", "2010-04-01");
    if (whatsapp) {
      form.put("ProfileName", contact.firstName() == null ? "Client" : contact.firstName());
      form.put("WaId", contact.phone().substring(1));
      form.put("MessageType", "text");
    }
    expectAccepted(providers.twilioInbound(form), SimulatedProviders.TWILIO_MESSAGES_WEBHOOK);
    return sid;
  }

  /** The contact opens an email Relais sent them: SendGrid's {@code open} event. */
  public void openEmail(String messageId) {
    MessageRecord m = messages.find(messageId).orElseThrow(() -> new NotFoundException("No message " + messageId));
    if (m.channel() != Channel.EMAIL || m.direction() != Direction.OUT) {
      throw new InvalidInputException("messageId", "Only an email sent by Relais can be opened");
    }
    String sgMessageId = (m.providerId() != null ? m.providerId() : m.id()) + ".filterdrecv-simulator-1-0";
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("email", m.toAddress());
    event.put("timestamp", clock.instant().getEpochSecond());
    event.put("event", "open");
    event.put("sg_machine_open", false);
    event.put("sg_event_id", randomHex());
    event.put("sg_message_id", sgMessageId);
    event.put("useragent", "Mozilla/5.0 (Relais simulator)");
    event.put("ip", "127.0.0.1");
    // custom_args arrive as top-level keys; these are the ones Relais sets on every email.
    event.put("messageId", m.id());
    event.put("contactId", m.contactId());
    if (m.processInstanceId() != null) {
      event.put("processInstanceId", m.processInstanceId());
    }
    expectAccepted(providers.sendgridEvents(List.of(event)), SimulatedProviders.SENDGRID_EVENTS_WEBHOOK);
  }

  /**
   * Raises a business event for the contact: starts the journey listening for it, or (an order)
   * reaches every running journey of the contact. Returns the process instances concerned.
   */
  public List<String> raise(String contactId, String eventName, boolean accelerate) {
    contact(contactId);
    BusinessEvent event;
    try {
      event = BusinessEvent.valueOf(eventName == null ? "" : eventName);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("event", "Unknown event '" + eventName + "'; one of " + List.of(BusinessEvent.values()));
    }
    Map<String, Object> variables = event.sampleData(contactId, clock.instant());
    if (accelerate) {
      for (String wait : properties.acceleratedWaits().getOrDefault(event.messageName(), List.of())) {
        variables.put(wait, properties.acceleratedWait().toString());
      }
    }
    var correlation =
        runtime.createMessageCorrelation(event.messageName()).processInstanceBusinessKey(contactId).setVariables(variables);
    if (event.startsJourney()) {
      if (repository.createProcessDefinitionQuery().messageEventSubscriptionName(event.messageName()).count() == 0) {
        throw new ConflictException("No deployed journey starts on message '" + event.messageName() + "'");
      }
      return List.of(correlation.correlateStartMessage().getId());
    }
    List<String> reached = new ArrayList<>();
    for (MessageCorrelationResult r : correlation.correlateAllWithResult()) {
      reached.add(r.getExecution() != null ? r.getExecution().getProcessInstanceId() : r.getProcessInstance().getId());
    }
    return reached;
  }

  TestContact contact(String contactId) {
    return contacts.find(contactId).orElseThrow(() -> new NotFoundException("No simulator contact " + contactId));
  }

  /** The brand number the customer answers: the sender of the last message on that channel. */
  private String brandAddress(String contactId, Channel channel) {
    List<MessageRecord> transcript = messages.transcript(contactId);
    for (int i = transcript.size() - 1; i >= 0; i--) {
      MessageRecord m = transcript.get(i);
      if (m.direction() == Direction.OUT && m.channel() == channel && m.fromAddress() != null) {
        return withPrefix(channel, m.fromAddress());
      }
    }
    // The customer writes first: to the brand's two-way sender (the marketing short code for SMS).
    return withPrefix(channel, outbound.senders().senderFor(channel, MessageCategory.MARKETING));
  }

  private static String withPrefix(Channel channel, String address) {
    if (channel == Channel.WHATSAPP && !address.startsWith("whatsapp:")) {
      return "whatsapp:" + address;
    }
    return address;
  }

  private static void expectAccepted(WebhookAnswer answer, String webhook) {
    if (!answer.accepted()) {
      throw new ResponseStatusException(
          HttpStatus.BAD_GATEWAY, "Relais' webhook " + webhook + " answered " + answer.status() + ": " + answer.body());
    }
  }

  private static Channel parseChannel(String name) {
    try {
      return Channel.valueOf(name == null ? "" : name);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("channel", "Unknown channel '" + name + "'");
    }
  }

  static String e164(String phone) {
    if (phone == null || phone.isBlank()) {
      throw new InvalidInputException("phone", "A mobile number is required");
    }
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    try {
      var number = util.parse(phone, "FR");
      if (!util.isValidNumber(number)) {
        throw new InvalidInputException("phone", "Not a valid phone number: " + phone);
      }
      return util.format(number, PhoneNumberUtil.PhoneNumberFormat.E164);
    } catch (NumberParseException e) {
      throw new InvalidInputException("phone", "Not a phone number: " + phone);
    }
  }

  /** 32 hex digits, the shape of the ids Twilio and SendGrid give. */
  private static String randomHex() {
    byte[] bytes = new byte[16];
    ThreadLocalRandom.current().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
