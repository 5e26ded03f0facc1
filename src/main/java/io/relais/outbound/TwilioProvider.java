package io.relais.outbound;

import com.twilio.base.ResourceSet;
import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.rest.api.v2010.account.MessageCreator;
import com.twilio.type.PhoneNumber;
import io.relais.contact.Channel;
import java.net.URI;
import java.time.Instant;

/**
 * SMS, WhatsApp and RCS through the Twilio Java SDK. The sender is always a {@link PhoneNumber}
 * (the SDK's String overload would take it as a MessagingServiceSid); outside WhatsApp's 24 h
 * window the approved template goes by ContentSid.
 */
public class TwilioProvider implements MessageProvider {

  public static final String NAME = "TWILIO";
  static final String OPTED_OUT = "21610";

  private final TwilioRestClient client;
  private final String statusCallback;

  public TwilioProvider(OutboundProperties props) {
    this(props, DeliveryProperties.defaults());
  }

  public TwilioProvider(OutboundProperties props, DeliveryProperties delivery) {
    OutboundProperties.Twilio t = props.twilio();
    this.client = new TwilioRestClient.Builder(t.accountSid(), t.authToken())
        .httpClient(new TwilioHttpClient(t.apiBaseUrl(), delivery))
        .build();
    this.statusCallback = props.publicBaseUrl() + TwilioStatusWebhook.PATH;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean external() {
    return true;
  }

  @Override
  public Receipt send(OutboundMessage m) {
    PhoneNumber to = new PhoneNumber(address(m.channel(), m.to()));
    PhoneNumber from = new PhoneNumber(address(m.channel(), m.from()));
    MessageCreator creator = m.contentSid() != null
        ? Message.creator(to, from, (String) null).setContentSid(m.contentSid())
        : Message.creator(to, from, m.text());
    // the message id rides on the callback URL, so that a late callback settles a message whose answer was lost
    creator.setStatusCallback(URI.create(statusCallback + "?" + TwilioStatusWebhook.MESSAGE_ID + "=" + m.messageId()));
    try {
      Message message = creator.create(client);
      return new Receipt(message.getSid(), "SENT");
    } catch (ApiException e) {
      if (e.getStatusCode() == null || e.getStatusCode() / 100 == 2) {
        // an answer that accepted the message but could not be read: it went
        throw ProviderException.unknown("Twilio's answer could not be read: " + e.getMessage(), "TWILIO_UNREADABLE", e);
      }
      String code = e.getCode() == null ? String.valueOf(e.getStatusCode()) : String.valueOf(e.getCode());
      throw new ProviderException("Twilio refused the message: " + e.getMessage(), code, OPTED_OUT.equals(code), e);
    } catch (TwilioHttpClient.OutcomeUnknown e) {
      throw ProviderException.unknown("Twilio call outcome unknown: " + e.getMessage(), "TWILIO_TIMEOUT", e);
    } catch (TwilioException e) {
      throw new ProviderException("Twilio call failed: " + e.getMessage(), "TWILIO_ERROR", false, e);
    }
  }

  /**
   * Looks for the message among the latest ones from this sender to this recipient (Twilio creates
   * the Message resource when it accepts the request, so an accepted one is listed): same text,
   * created from a minute before our record on.
   */
  @Override
  public Lookup lookup(InDoubt m) {
    try {
      ResourceSet<Message> latest = Message.reader()
          .setTo(new PhoneNumber(address(m.channel(), m.to())))
          .setFrom(new PhoneNumber(address(m.channel(), m.from())))
          .pageSize(20).limit(20)
          .read(client);
      Instant since = m.recordedAt().minus(LOOKUP_CLOCK_SKEW);
      for (Message message : latest) {
        boolean recent = message.getDateCreated() == null || !message.getDateCreated().toInstant().isBefore(since);
        boolean sameText = m.body() == null || m.body().startsWith("[template ") || m.body().equals(message.getBody());
        if (recent && sameText) {
          return Lookup.found(message.getSid());
        }
      }
      return Lookup.NOT_FOUND;
    } catch (TwilioException e) {
      throw new ProviderException("Twilio could not be asked about message " + m.messageId() + ": " + e.getMessage(), "TWILIO_LOOKUP", false, e);
    }
  }

  private static final java.time.Duration LOOKUP_CLOCK_SKEW = java.time.Duration.ofMinutes(1);

  static String address(Channel channel, String address) {
    return switch (channel) {
      case WHATSAPP -> address.startsWith("whatsapp:") ? address : "whatsapp:" + address;
      // RCS without SMS fallback: To is the recipient's rcs: address, From the RCS sender id (rcs:<sender id>)
      case RCS -> address.startsWith("rcs:") ? address : "rcs:" + address;
      default -> address;
    };
  }
}
