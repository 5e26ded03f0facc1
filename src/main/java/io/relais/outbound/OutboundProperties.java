package io.relais.outbound;

import io.relais.contact.Channel;
import java.math.BigDecimal;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything the send pipeline reads from configuration ({@code relais.*}), with the embedded
 * defaults: simulator for every channel until provider credentials are set, Mon–Sat
 * [08:00, 20:00) for marketing, short codes 36180/38180.
 */
@ConfigurationProperties("relais")
public record OutboundProperties(
    String publicBaseUrl,
    Window sendingWindow,
    Map<Channel, String> frequencyCaps,
    Map<Channel, Map<MessageCategory, BigDecimal>> prices,
    Map<String, Double> throughput,
    Senders senders,
    Twilio twilio,
    Sendgrid sendgrid,
    Rendering rendering) {

  public OutboundProperties {
    publicBaseUrl = trimSlash(publicBaseUrl == null ? "http://localhost:8080" : publicBaseUrl);
    sendingWindow = sendingWindow == null ? new Window(null, null, null, null, null) : sendingWindow;
    Map<Channel, String> caps = new EnumMap<>(Channel.class);
    caps.put(Channel.SMS, "1/P1D,3/P7D");
    caps.put(Channel.RCS, "1/P1D,3/P7D");
    caps.put(Channel.WHATSAPP, "1/P1D,3/P7D");
    caps.put(Channel.EMAIL, "2/P1D,6/P7D");
    if (frequencyCaps != null) {
      caps.putAll(frequencyCaps);
    }
    frequencyCaps = caps;
    Map<Channel, Map<MessageCategory, BigDecimal>> p = new EnumMap<>(Channel.class);
    p.put(Channel.SMS, prices(Map.of(MessageCategory.MARKETING, "0.045", MessageCategory.TRANSACTIONAL, "0.040")));
    p.put(Channel.RCS, prices(Map.of(MessageCategory.MARKETING, "0.090", MessageCategory.TRANSACTIONAL, "0.080")));
    p.put(Channel.WHATSAPP, prices(Map.of(MessageCategory.MARKETING, "0.0859", MessageCategory.TRANSACTIONAL, "0.0")));
    p.put(Channel.EMAIL, prices(Map.of(MessageCategory.MARKETING, "0.0005", MessageCategory.TRANSACTIONAL, "0.0005")));
    if (prices != null) {
      prices.forEach((channel, byCategory) -> p.merge(channel, byCategory, (a, b) -> {
        Map<MessageCategory, BigDecimal> merged = new EnumMap<>(a);
        merged.putAll(b);
        return merged;
      }));
    }
    prices = p;
    throughput = throughput == null ? Map.of() : Map.copyOf(throughput);
    senders = senders == null ? new Senders(null, null, null) : senders;
    twilio = twilio == null ? new Twilio(null, null, null) : twilio;
    sendgrid = sendgrid == null ? new Sendgrid(null, null, null, null, null) : sendgrid;
    rendering = rendering == null ? new Rendering(null) : rendering;
  }

  /** The defaults, as when nothing is configured (simulator everywhere). */
  public static OutboundProperties defaults() {
    return new OutboundProperties(null, null, null, null, null, null, null, null, null);
  }

  /** The marketing window for a channel: the channel override where one is set. */
  public SendingWindow windowFor(Channel channel) {
    Window w = sendingWindow;
    WindowOverride o = w.channels().get(channel);
    List<DayOfWeek> days = o != null && o.days() != null ? o.days() : w.days();
    String start = o != null && o.start() != null ? o.start() : w.start();
    String end = o != null && o.end() != null ? o.end() : w.end();
    return new SendingWindow(new LinkedHashSet<>(days), LocalTime.parse(start), LocalTime.parse(end));
  }

  public List<FrequencyCap> capsFor(Channel channel) {
    return FrequencyCap.parse(frequencyCaps.get(channel));
  }

  /** Price of one segment (one message for email and WhatsApp) on this channel and route. */
  public BigDecimal priceFor(Channel channel, MessageCategory category) {
    Map<MessageCategory, BigDecimal> byCategory = prices.getOrDefault(channel, Map.of());
    BigDecimal price = byCategory.get(category);
    if (price == null) {
      price = byCategory.getOrDefault(MessageCategory.TRANSACTIONAL, BigDecimal.ZERO);
    }
    return price;
  }

  /** Segments per second allowed for a sender: configured, else the default of its kind. */
  public double throughputFor(String sender) {
    Double configured = throughput.get(sender);
    if (configured != null) {
      return configured;
    }
    return switch (SenderRules.kind(sender)) {
      case LONG_NUMBER -> 1.0;
      case SHORT_CODE -> 100.0;
      case ALPHANUMERIC -> 30.0;
      case WHATSAPP -> 80.0;
      case EMAIL -> 100.0;
      case OTHER -> 30.0;
    };
  }

  private static Map<MessageCategory, BigDecimal> prices(Map<MessageCategory, String> values) {
    Map<MessageCategory, BigDecimal> m = new EnumMap<>(MessageCategory.class);
    values.forEach((k, v) -> m.put(k, new BigDecimal(v)));
    return m;
  }

  private static String trimSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** {@code relais.sending-window.*}: the marketing window, with per-channel overrides. */
  public record Window(Boolean enabled, List<DayOfWeek> days, String start, String end, Map<Channel, WindowOverride> channels) {
    public Window {
      enabled = enabled == null || enabled;
      days = days == null || days.isEmpty() ? List.copyOf(SendingWindow.DEFAULT.days().stream().sorted().toList()) : days;
      start = start == null ? "08:00" : start;
      end = end == null ? "20:00" : end;
      channels = channels == null ? Map.of() : channels;
    }
  }

  /** {@code relais.sending-window.channels.<CHANNEL>.*}: what differs on one channel's route. */
  public record WindowOverride(Boolean enabled, List<DayOfWeek> days, String start, String end) {}

  /**
   * Whether marketing on this channel waits for the window: the SMS rule, applied to RCS and
   * WhatsApp as a product choice; email is off unless {@code channels.EMAIL.enabled=true}.
   */
  public boolean windowEnabled(Channel channel) {
    WindowOverride o = sendingWindow.channels().get(channel);
    if (o != null && o.enabled() != null) {
      return o.enabled();
    }
    return sendingWindow.enabled() && channel != Channel.EMAIL;
  }

  /** {@code relais.senders.*}. */
  public record Senders(Sms sms, String whatsapp, String rcs) {
    public Senders {
      sms = sms == null ? new Sms(null, null, null) : sms;
      whatsapp = whatsapp == null ? "+33939000000" : whatsapp;
      rcs = rcs == null ? "relais" : rcs;
    }

    /** The sender of a message on this channel and route. */
    public String senderFor(Channel channel, MessageCategory category) {
      return switch (channel) {
        case SMS -> category == MessageCategory.MARKETING ? sms.marketing() : sms.transactional();
        case WHATSAPP -> whatsapp;
        case RCS -> rcs;
        case EMAIL -> null;
      };
    }
  }

  /** {@code relais.senders.sms.*}: marketing from 36xxx, transactional from 38xxx by default. */
  public record Sms(String marketing, String transactional, String stopShortCode) {
    public Sms {
      marketing = marketing == null ? "36180" : marketing;
      transactional = transactional == null ? "38180" : transactional;
      stopShortCode = stopShortCode == null ? "36180" : stopShortCode;
    }
  }

  /** {@code relais.twilio.*}: SMS, WhatsApp and RCS go through Twilio once both credentials are set. */
  public record Twilio(String accountSid, String authToken, String apiBaseUrl) {
    public Twilio {
      apiBaseUrl = apiBaseUrl == null || apiBaseUrl.isBlank() ? "https://api.twilio.com" : trimSlash(apiBaseUrl);
    }

    public boolean configured() {
      return accountSid != null && !accountSid.isBlank() && authToken != null && !authToken.isBlank();
    }
  }

  /** {@code relais.sendgrid.*}: email goes through SendGrid once the API key is set. */
  /**
   * {@code relais.sendgrid.*}; {@code activityLookup}: the account has SendGrid's Email Activity
   * history add-on, so that an email whose send ended in doubt (a crash or a time-out after the
   * request) is looked up before it is sent again (without it, it stays UNKNOWN for an operator).
   */
  public record Sendgrid(String apiKey, String apiBaseUrl, String fromEmail, String fromName, String webhookPublicKey,
      boolean activityLookup) {

    public Sendgrid(String apiKey, String apiBaseUrl, String fromEmail, String fromName, String webhookPublicKey) {
      this(apiKey, apiBaseUrl, fromEmail, fromName, webhookPublicKey, false);
    }

    @org.springframework.boot.context.properties.bind.ConstructorBinding
    public Sendgrid {
      apiBaseUrl = apiBaseUrl == null || apiBaseUrl.isBlank() ? "https://api.sendgrid.com" : trimSlash(apiBaseUrl);
      fromEmail = fromEmail == null ? "bonjour@relais.example" : fromEmail;
      fromName = fromName == null ? "Relais" : fromName;
    }

    public boolean configured() {
      return apiKey != null && !apiKey.isBlank();
    }
  }

  /** {@code relais.rendering.*}. */
  public record Rendering(Boolean normalizePunctuation) {
    public Rendering {
      normalizePunctuation = normalizePunctuation != null && normalizePunctuation;
    }
  }

}
