package io.relais.outbound;

import com.twilio.exception.ApiException;
import com.twilio.exception.TwilioException;
import com.twilio.http.TwilioRestClient;
import com.twilio.rest.api.v2010.account.Message;
import com.twilio.rest.api.v2010.account.MessageCreator;
import com.twilio.type.PhoneNumber;
import io.relais.contact.Channel;
import java.net.URI;

/**
 * SMS, WhatsApp and RCS through the Twilio Java SDK. The sender is always a {@link PhoneNumber}
 * (the SDK's String overload would take it as a MessagingServiceSid); outside WhatsApp's 24 h
 * window the approved template goes by ContentSid.
 */
public class TwilioProvider implements MessageProvider {

  public static final String NAME = "TWILIO";
  static final String OPTED_OUT = "21610";

  private final TwilioRestClient client;
  private final URI statusCallback;

  public TwilioProvider(OutboundProperties props) {
    OutboundProperties.Twilio t = props.twilio();
    this.client = new TwilioRestClient.Builder(t.accountSid(), t.authToken())
        .httpClient(new TwilioHttpClient(t.apiBaseUrl()))
        .build();
    this.statusCallback = URI.create(props.publicBaseUrl() + TwilioStatusWebhook.PATH);
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
    creator.setStatusCallback(statusCallback);
    try {
      Message message = creator.create(client);
      return new Receipt(message.getSid(), "SENT");
    } catch (ApiException e) {
      String code = e.getCode() == null ? String.valueOf(e.getStatusCode()) : String.valueOf(e.getCode());
      throw new ProviderException("Twilio refused the message: " + e.getMessage(), code, OPTED_OUT.equals(code), e);
    } catch (TwilioException e) {
      throw new ProviderException("Twilio call failed: " + e.getMessage(), "TWILIO_ERROR", false, e);
    }
  }

  static String address(Channel channel, String address) {
    return switch (channel) {
      case WHATSAPP -> address.startsWith("whatsapp:") ? address : "whatsapp:" + address;
      case RCS -> address.startsWith("rcs:") || address.startsWith("+") ? address : "rcs:" + address;
      default -> address;
    };
  }
}
