package io.relais.outbound;

import io.relais.contact.Channel;
import java.util.function.Function;

/**
 * Which provider carries each channel: Twilio for SMS/WhatsApp/RCS once its credentials are set,
 * SendGrid for email once its key is set, the simulator otherwise.
 */
public final class Providers implements Function<Channel, MessageProvider> {

  private final MessageProvider phone;
  private final MessageProvider email;

  public Providers(MessageProvider phone, MessageProvider email) {
    this.phone = phone;
    this.email = email;
  }

  public static Providers fromConfig(OutboundProperties props, DeliveryProperties delivery) {
    SimulatorProvider simulator = new SimulatorProvider();
    return new Providers(
        props.twilio().configured() ? new TwilioProvider(props, delivery) : simulator,
        props.sendgrid().configured() ? new SendGridProvider(props, delivery) : simulator);
  }

  @Override
  public MessageProvider apply(Channel channel) {
    return channel == Channel.EMAIL ? email : phone;
  }
}
