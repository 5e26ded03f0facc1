package io.relais.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.relais.contact.Channel;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real Twilio and SendGrid SDKs against WireMock: the exact requests Relais makes. */
class ProviderHttpTest {

  static final String SID = "AC00000000000000000000000000000001";
  static final String MESSAGES = "/2010-04-01/Accounts/" + SID + "/Messages.json";

  WireMockServer wm;

  @BeforeEach
  void start() {
    wm = new WireMockServer(options().dynamicPort());
    wm.start();
  }

  @AfterEach
  void stop() {
    wm.stop();
  }

  OutboundProperties twilioConfig() {
    return new OutboundProperties("https://relais.example.fr", null, null, null, null, null,
        new OutboundProperties.Twilio(SID, "secret-token", "http://localhost:" + wm.port()), null, null);
  }

  OutboundProperties sendGridConfig() {
    return new OutboundProperties("https://relais.example.fr", null, null, null, null, null, null,
        new OutboundProperties.Sendgrid("SG.key", "http://localhost:" + wm.port(), "bonjour@maboutique.fr", "MaBoutique", null), null);
  }

  static String twilioMessage(String sid) {
    return "{\"sid\":\"" + sid + "\",\"status\":\"queued\",\"account_sid\":\"" + SID + "\"}";
  }

  static MessageProvider.OutboundMessage sms(String from, String to, String text, Channel channel, String contentSid) {
    return new MessageProvider.OutboundMessage("m-1", "c-1", channel, MessageCategory.MARKETING, from, to, text, null, null, contentSid,
        new JourneyStep("pi-9", "cart-abandoned", 2, "Call_Send"));
  }

  static Map<String, String> form(LoggedRequest r) {
    Map<String, String> m = new HashMap<>();
    for (String pair : r.getBodyAsString().split("&")) {
      String[] kv = pair.split("=", 2);
      m.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
    }
    return m;
  }

  @Test
  void smsGoesFromTheShortCodeAsAPhoneNumberWithTheStatusCallback() {
    wm.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(201).withBody(twilioMessage("SM111"))));
    MessageProvider.Receipt receipt = new TwilioProvider(twilioConfig())
        .send(sms("36180", "+33612345678", "Soldes ! STOP au 36180", Channel.SMS, null));
    assertThat(receipt).isEqualTo(new MessageProvider.Receipt("SM111", "SENT"));
    List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlEqualTo(MESSAGES)));
    assertThat(requests).hasSize(1);
    assertThat(requests.get(0).getHeader("Authorization")).startsWith("Basic ");
    assertThat(form(requests.get(0))).containsExactlyInAnyOrderEntriesOf(Map.of(
        "To", "+33612345678", "From", "36180", "Body", "Soldes ! STOP au 36180",
        "StatusCallback", "https://relais.example.fr/webhooks/twilio/status?messageId=m-1"));
  }

  @Test
  void whatsAppUsesPrefixedAddressesAndTheContentSidOutsideTheWindow() {
    wm.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(201).withBody(twilioMessage("SM222"))));
    new TwilioProvider(twilioConfig()).send(sms("+33939000000", "+33612345678", null, Channel.WHATSAPP, "HXabc"));
    Map<String, String> form = form(wm.findAll(postRequestedFor(urlEqualTo(MESSAGES))).get(0));
    assertThat(form).containsEntry("To", "whatsapp:+33612345678").containsEntry("From", "whatsapp:+33939000000")
        .containsEntry("ContentSid", "HXabc").doesNotContainKey("Body").doesNotContainKey("MessagingServiceSid");
  }

  @Test
  void rcsGoesToTheRecipientsRcsAddressFromTheRcsSenderId() {
    wm.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(201).withBody(twilioMessage("SM333"))));
    new TwilioProvider(twilioConfig()).send(sms(OutboundProperties.defaults().senders().rcs(), "+33612345678", "Votre colis arrive", Channel.RCS, null));
    Map<String, String> form = form(wm.findAll(postRequestedFor(urlEqualTo(MESSAGES))).get(0));
    assertThat(form).containsEntry("To", "rcs:+33612345678").containsEntry("From", "rcs:relais")
        .containsEntry("Body", "Votre colis arrive").doesNotContainKey("MessagingServiceSid");
  }

  @Test
  void aServerErrorIsNotRetriedByTheSdk() {
    wm.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(503).withBody("{\"code\":20503,\"message\":\"busy\",\"status\":503}")));
    assertThatThrownBy(() -> new TwilioProvider(twilioConfig()).send(sms("36180", "+33612345678", "x", Channel.SMS, null)))
        .isInstanceOf(MessageProvider.ProviderException.class);
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(MESSAGES)))).hasSize(1);
  }

  @Test
  void anOptedOutRecipientIsReportedAsSuch() {
    wm.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(400)
        .withBody("{\"code\":21610,\"message\":\"Attempt to send to unsubscribed recipient\",\"status\":400}")));
    assertThatThrownBy(() -> new TwilioProvider(twilioConfig()).send(sms("36180", "+33612345678", "x", Channel.SMS, null)))
        .isInstanceOfSatisfying(MessageProvider.ProviderException.class, e -> {
          assertThat(e.optedOut()).isTrue();
          assertThat(e.code()).isEqualTo("21610");
        });
  }

  @Test
  void aRefusalQuotingTheRecipientKeepsTheNumberOutOfTheExceptionAndItsStack() {
    wm.stubFor(post(urlEqualTo(MESSAGES)).willReturn(aResponse().withStatus(400)
        .withBody("{\"code\":21211,\"message\":\"The 'To' number +33612345678 is not a valid phone number.\",\"status\":400}")));
    assertThatThrownBy(() -> new TwilioProvider(twilioConfig()).send(sms("36180", "+33612345678", "x", Channel.SMS, null)))
        .isInstanceOfSatisfying(MessageProvider.ProviderException.class, e -> {
          assertThat(e.code()).isEqualTo("21211");
          assertThat(e.getMessage()).isEqualTo("Twilio refused the message: The 'To' number [phone] is not a valid phone number.");
          // what a logged stack trace would print: the SDK's exception is still there, by class and frames
          assertThat(stackTrace(e)).contains("com.twilio.exception.ApiException").contains("TwilioProvider.send").doesNotContain("612345678");
        });
  }

  @Test
  void aSendGridRefusalQuotingTheAddressKeepsItOut() {
    wm.stubFor(post(urlEqualTo("/v3/mail/send")).willReturn(aResponse().withStatus(400)
        .withBody("{\"errors\":[{\"message\":\"lea@example.org does not accept mail\",\"field\":\"personalizations.0.to.0.email\"}]}")));
    OutboundProperties props = sendGridConfig();
    MessageProvider.OutboundMessage email = new MessageProvider.OutboundMessage("m-8", "c-8", Channel.EMAIL, MessageCategory.MARKETING,
        "bonjour@maboutique.fr", "lea@example.org", "Bonjour", null, "Soldes", null, new JourneyStep("pi-8", "welcome", 1, "Call_SendWelcome"));
    assertThatThrownBy(() -> new SendGridProvider(props).send(email))
        .isInstanceOfSatisfying(MessageProvider.ProviderException.class, e -> {
          assertThat(e.getMessage()).contains("HTTP 400").contains("[email] does not accept mail").contains("personalizations.0.to.0.email");
          assertThat(stackTrace(e)).doesNotContain("lea@example.org");
        });
  }

  static String stackTrace(Throwable e) {
    java.io.StringWriter out = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(out));
    return out.toString();
  }

  @Test
  void sendGridGetsHtmlAndTextPartsAndIdOnlyCustomArgs() {
    wm.stubFor(post(urlEqualTo("/v3/mail/send")).willReturn(aResponse().withStatus(202).withHeader("X-Message-Id", "sg-xyz")));
    OutboundProperties props = sendGridConfig();
    MessageProvider.OutboundMessage email = new MessageProvider.OutboundMessage("m-7", "c-7", Channel.EMAIL, MessageCategory.MARKETING,
        "bonjour@maboutique.fr", "lea@example.org", "Bonjour Léa", "<p>Bonjour Léa</p>", "Vos soldes", null,
        new JourneyStep("pi-7", "welcome", 1, "Call_SendWelcome"));
    MessageProvider.Receipt receipt = new SendGridProvider(props).send(email);
    assertThat(receipt.providerId()).isEqualTo("sg-xyz");
    wm.verify(1, postRequestedFor(urlEqualTo("/v3/mail/send"))
        .withHeader("Authorization", equalTo("Bearer SG.key"))
        .withRequestBody(equalToJson("""
            {"from":{"email":"bonjour@maboutique.fr","name":"MaBoutique"},
             "subject":"Vos soldes",
             "personalizations":[{"to":[{"email":"lea@example.org"}],
               "custom_args":{"messageId":"m-7","contactId":"c-7","processInstanceId":"pi-7","journeyKey":"welcome","stepId":"Call_SendWelcome"}}],
             "content":[{"type":"text/plain","value":"Bonjour Léa"},{"type":"text/html","value":"<p>Bonjour Léa</p>"}]}
            """, true, false))
        .withRequestBody(matchingJsonPath("$.personalizations[0].custom_args.messageId", equalTo("m-7"))));
  }
}
