package io.relais.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import io.relais.inbound.TwilioMessageWebhook;
import io.relais.outbound.OutboundProperties;
import io.relais.outbound.SendGridEventWebhook;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Plays Twilio and SendGrid towards Relais itself: the simulator's replies and opens are HTTP
 * requests to Relais' own webhooks, in the providers' formats and signed as they sign, so they take
 * exactly the path of real provider traffic (signature check included) and nothing is shortcut.
 */
@Component
public class SimulatedProviders {

  static final String TWILIO_MESSAGES_WEBHOOK = TwilioMessageWebhook.PATH;
  static final String SENDGRID_EVENTS_WEBHOOK = SendGridEventWebhook.PATH;
  static final String TWILIO_SIGNATURE = "X-Twilio-Signature";
  static final String SENDGRID_SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature";
  static final String SENDGRID_TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp";

  /** What the webhook answered. */
  public record WebhookAnswer(int status, String body) {
    boolean accepted() {
      return status >= 200 && status < 300;
    }
  }

  private final Environment env;
  private final OutboundProperties outbound;
  private final SimulatorProperties properties;
  private final ObjectMapper json;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  public SimulatedProviders(
      Environment env, OutboundProperties outbound, SimulatorProperties properties, ObjectMapper json, Clock clock) {
    this.env = env;
    this.outbound = outbound;
    this.properties = properties;
    this.json = json;
    this.clock = clock;
  }

  /** Posts an inbound message webhook as Twilio would, signed when an auth token is configured. */
  public WebhookAnswer twilioInbound(Map<String, String> params) {
    String form =
        params.entrySet().stream()
            .map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
            .collect(Collectors.joining("&"));
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(localBaseUrl() + TWILIO_MESSAGES_WEBHOOK))
            .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
            .header("User-Agent", "TwilioProxy/1.1 (Relais simulator)")
            .POST(HttpRequest.BodyPublishers.ofString(form, StandardCharsets.UTF_8));
    String token = outbound.twilio().authToken();
    if (token != null && !token.isBlank()) {
      // Relais checks the signature on its public URL, as Twilio computes it there.
      request.header(TWILIO_SIGNATURE, TwilioRequestSigner.sign(token, outbound.publicBaseUrl() + TWILIO_MESSAGES_WEBHOOK, params));
    }
    return send(request.build());
  }

  /** Posts a batch of Event Webhook events as SendGrid would, signed when a signing key is set. */
  public WebhookAnswer sendgridEvents(List<Map<String, Object>> events) {
    String payload;
    try {
      // SendGrid's signed payloads end with CRLF; the signature covers it.
      payload = json.writeValueAsString(events) + "\r\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write SendGrid events", e);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(localBaseUrl() + SENDGRID_EVENTS_WEBHOOK))
            .header("Content-Type", "application/json")
            .header("User-Agent", "SendGrid Event API (Relais simulator)")
            .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8));
    String key = properties.sendgridSigningKey();
    if (key != null && !key.isBlank()) {
      String timestamp = Long.toString(clock.instant().getEpochSecond());
      request.header(SENDGRID_TIMESTAMP, timestamp);
      request.header(SENDGRID_SIGNATURE, ecdsaSign(key, timestamp + payload));
    }
    return send(request.build());
  }

  static String ecdsaSign(String base64Pkcs8Key, String data) {
    try {
      PrivateKey key =
          KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64Pkcs8Key)));
      Signature signature = Signature.getInstance("SHA256withECDSA");
      signature.initSign(key);
      signature.update(data.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signature.sign());
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("relais.simulator.sendgrid-signing-key is not a base64 PKCS#8 EC private key", e);
    }
  }

  private WebhookAnswer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return new WebhookAnswer(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new IllegalStateException("Relais' own webhook " + request.uri().getPath() + " is unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while calling " + request.uri().getPath(), e);
    }
  }

  /** This node itself, on the port it listens on. */
  String localBaseUrl() {
    return "http://localhost:" + env.getProperty("local.server.port", env.getProperty("server.port", "8080"))
        + env.getProperty("server.servlet.context-path", "");
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
