package io.relais.simulator;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.sendgrid.helpers.eventwebhook.EventWebhook;
import com.twilio.security.RequestValidator;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.relais.outbound.OutboundProperties;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

/**
 * The simulator's provider traffic is what Twilio and SendGrid would send: checked here with the
 * providers' own SDK validators against a server standing in for Relais' webhooks.
 */
class SimulatedProvidersTest {

  static final String AUTH_TOKEN = "12345678901234567890123456789012";
  static final String PUBLIC_BASE = "https://relais.example";

  WireMockServer relais;
  MockEnvironment env;

  @BeforeEach
  void start() {
    relais = new WireMockServer(options().dynamicPort());
    relais.start();
    relais.stubFor(post(SimulatedProviders.TWILIO_MESSAGES_WEBHOOK)
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("<Response/>")));
    relais.stubFor(post(SimulatedProviders.SENDGRID_EVENTS_WEBHOOK).willReturn(aResponse().withStatus(200)));
    env = new MockEnvironment().withProperty("local.server.port", Integer.toString(relais.port()));
  }

  @AfterEach
  void stop() {
    relais.stop();
  }

  SimulatedProviders providers(String twilioToken, String sendgridKey) {
    var outbound = new OutboundProperties(PUBLIC_BASE + "/", null, null, null, null, null,
        new OutboundProperties.Twilio("AC" + "1".repeat(32), twilioToken, null), null, null);
    return new SimulatedProviders(env, outbound, new SimulatorProperties(null, null, null, sendgridKey), new ObjectMapper(),
        Clock.fixed(Instant.parse("2026-07-10T08:00:00Z"), ZoneOffset.UTC));
  }

  @Test
  void aReplyIsATwilioFormThatTwiliosValidatorAcceptsOnThePublicUrl() {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("MessageSid", "SM0123456789abcdef0123456789abcdef");
    form.put("From", "whatsapp:+33612345678");
    form.put("To", "whatsapp:+33939000000");
    form.put("Body", "J'hésite entre deux produits & un 3e ? 😊");

    var answer = providers(AUTH_TOKEN, null).twilioInbound(form);

    assertThat(answer.status()).isEqualTo(200);
    LoggedRequest request = relais.getAllServeEvents().get(0).getRequest();
    assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
    Map<String, String> received = decodeForm(request.getBodyAsString());
    assertThat(received).isEqualTo(form);
    RequestValidator twilio = new RequestValidator(AUTH_TOKEN);
    String signature = request.getHeader(SimulatedProviders.TWILIO_SIGNATURE);
    assertThat(twilio.validate(PUBLIC_BASE + SimulatedProviders.TWILIO_MESSAGES_WEBHOOK, received, signature)).isTrue();
    assertThat(new RequestValidator("another-token").validate(PUBLIC_BASE + SimulatedProviders.TWILIO_MESSAGES_WEBHOOK, received, signature))
        .isFalse();
  }

  @Test
  void withoutAnAuthTokenTheReplyIsNotSigned() {
    providers(null, null).twilioInbound(Map.of("Body", "STOP"));
    assertThat(relais.getAllServeEvents().get(0).getRequest().containsHeader(SimulatedProviders.TWILIO_SIGNATURE)).isFalse();
  }

  @Test
  void anOpenIsASendGridEventBatchWhoseSignatureSendGridsVerifierAccepts() throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    String privateKey = Base64.getEncoder().encodeToString(keys.getPrivate().getEncoded());
    String publicKey = Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());

    var answer = providers(null, privateKey).sendgridEvents(List.of(Map.of("event", "open", "sg_event_id", "e1", "messageId", "m1")));

    assertThat(answer.status()).isEqualTo(200);
    LoggedRequest request = relais.getAllServeEvents().get(0).getRequest();
    byte[] payload = request.getBody();
    JsonNode events = new ObjectMapper().readTree(payload);
    assertThat(events.isArray()).isTrue();
    assertThat(events.get(0).get("event").asText()).isEqualTo("open");
    assertThat(events.get(0).get("messageId").asText()).isEqualTo("m1");
    String timestamp = request.getHeader(SimulatedProviders.SENDGRID_TIMESTAMP);
    assertThat(timestamp).isEqualTo(Long.toString(Instant.parse("2026-07-10T08:00:00Z").getEpochSecond()));
    EventWebhook sendgrid = new EventWebhook();
    var key = sendgrid.ConvertPublicKeyToECDSA(publicKey);
    assertThat(sendgrid.VerifySignature(key, payload, request.getHeader(SimulatedProviders.SENDGRID_SIGNATURE), timestamp)).isTrue();
    assertThat(sendgrid.VerifySignature(key, payload, request.getHeader(SimulatedProviders.SENDGRID_SIGNATURE), "1")).isFalse();
  }

  @Test
  void withoutASigningKeyTheEventsAreNotSigned() {
    providers(null, null).sendgridEvents(List.of(Map.of("event", "open")));
    LoggedRequest request = relais.getAllServeEvents().get(0).getRequest();
    assertThat(request.containsHeader(SimulatedProviders.SENDGRID_SIGNATURE)).isFalse();
    assertThat(request.getBodyAsString()).startsWith("[{").endsWith("}]\r\n");
  }

  static Map<String, String> decodeForm(String body) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      map.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return map;
  }
}
