package io.relais.outbound;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import io.relais.contact.Channel;
import io.relais.contact.Contact;
import io.relais.conversation.MessageRecord;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A provider call that failed before the request left (refused, connect time-out, an HTTP error
 * answer) is FAILED and may be retried; one that timed out or was reset after the request was
 * written may have sent the message: UNKNOWN, never sent again by a retried job. Through the real
 * Twilio and SendGrid SDKs against WireMock.
 */
class ProviderOutcomeTest {

  static final String SID = ProviderHttpTest.SID;
  static final String MESSAGES = ProviderHttpTest.MESSAGES;
  static final String MAIL = "/v3/mail/send";
  /** A short response time-out, for the mocks that answer later still (a loaded machine still answers a quick mock within the defaults). */
  static final DeliveryProperties SHORT = new DeliveryProperties(Duration.ofSeconds(5), Duration.ofSeconds(1), null, null);
  static final int LATE_MS = 5_000;

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

  OutboundProperties config(String baseUrl) {
    return config(baseUrl, false);
  }

  /** {@code activityLookup}: the SendGrid account has the Email Activity add-on. */
  OutboundProperties config(String baseUrl, boolean activityLookup) {
    return new OutboundProperties("https://relais.example.fr", null, null, null, null, null,
        new OutboundProperties.Twilio(SID, "secret-token", baseUrl),
        new OutboundProperties.Sendgrid("SG.key", baseUrl, "bonjour@maboutique.fr", "MaBoutique", null, activityLookup), null);
  }

  String mock() {
    return "http://localhost:" + wm.port();
  }

  static String closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return "http://localhost:" + s.getLocalPort();
    }
  }

  MessageProvider twilio(String baseUrl) {
    return new TwilioProvider(config(baseUrl), timeouts());
  }

  MessageProvider sendGrid(String baseUrl) {
    return new SendGridProvider(config(baseUrl), timeouts());
  }

  /** The short time-out where the mock answers late, else the defaults. */
  DeliveryProperties timeouts() {
    boolean late = wm.getStubMappings().stream()
        .anyMatch(m -> m.getResponse().getFixedDelayMilliseconds() != null && m.getResponse().getFixedDelayMilliseconds() >= LATE_MS);
    return late ? SHORT : DeliveryProperties.defaults();
  }

  static MessageProvider.OutboundMessage sms() {
    return ProviderHttpTest.sms("36180", "+33612345678", "Votre colis arrive", Channel.SMS, null);
  }

  static MessageProvider.OutboundMessage email() {
    return new MessageProvider.OutboundMessage("m-7", "c-7", Channel.EMAIL, MessageCategory.TRANSACTIONAL,
        "bonjour@maboutique.fr", "lea@example.org", "Bonjour", "<p>Bonjour</p>", "Votre commande", null, JourneyStep.NONE);
  }

  MessageProvider.ProviderException failure(MessageProvider provider, MessageProvider.OutboundMessage message) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(() -> provider.send(message)).isInstanceOf(MessageProvider.ProviderException.class)
        .satisfies(t -> thrown[0] = t);
    return (MessageProvider.ProviderException) thrown[0];
  }

  void stubTwilio(ResponseDefinitionBuilder answer) {
    wm.stubFor(post(urlEqualTo(MESSAGES)).willReturn(answer));
  }

  void stubSendGrid(ResponseDefinitionBuilder answer) {
    wm.stubFor(post(urlEqualTo(MAIL)).willReturn(answer));
  }

  // ------------------------------------------------------------------ Twilio

  @Test
  void twilioAnswerSlowerThanTheTimeoutIsAnUnknownOutcome() {
    stubTwilio(aResponse().withStatus(201).withBody(ProviderHttpTest.twilioMessage("SM1")).withFixedDelay(LATE_MS));
    assertThat(failure(twilio(mock()), sms()).outcomeUnknown()).isTrue();
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(MESSAGES)))).hasSize(1);
  }

  @Test
  void twilioConnectionResetAfterTheRequestIsAnUnknownOutcome() {
    stubTwilio(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    assertThat(failure(twilio(mock()), sms()).outcomeUnknown()).isTrue();
  }

  @Test
  void twilioUnreachableCertainlyDidNotSend() throws IOException {
    MessageProvider.ProviderException e = failure(twilio(closedPort()), sms());
    assertThat(e.outcomeUnknown()).isFalse();
  }

  @Test
  void twilioErrorAnswerCertainlyDidNotSend() {
    stubTwilio(aResponse().withStatus(500).withBody("{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":500}"));
    assertThat(failure(twilio(mock()), sms()).outcomeUnknown()).isFalse();
  }

  @Test
  void twilioGatewayTimeoutWithoutABodyCertainlyDidNotSend() {
    // what a gateway in front of Twilio answers when Twilio itself times out
    stubTwilio(aResponse().withStatus(504));
    MessageProvider.ProviderException e = failure(twilio(mock()), sms());
    assertThat(e.outcomeUnknown()).isFalse();
    assertThat(e.getMessage()).contains("504");
  }

  // ---------------------------------------------------------------- SendGrid

  @Test
  void sendGridAnswerSlowerThanTheTimeoutIsAnUnknownOutcome() {
    stubSendGrid(aResponse().withStatus(202).withFixedDelay(LATE_MS));
    assertThat(failure(sendGrid(mock()), email()).outcomeUnknown()).isTrue();
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(MAIL)))).as("one attempt, no client retry").hasSize(1);
  }

  @Test
  void sendGridConnectionResetAfterTheRequestIsAnUnknownOutcome() {
    stubSendGrid(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    assertThat(failure(sendGrid(mock()), email()).outcomeUnknown()).isTrue();
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(MAIL)))).as("one attempt, no client retry").hasSize(1);
  }

  @Test
  void sendGridUnreachableCertainlyDidNotSend() throws IOException {
    assertThat(failure(sendGrid(closedPort()), email()).outcomeUnknown()).isFalse();
  }

  @Test
  void sendGridErrorAnswerCertainlyDidNotSend() {
    stubSendGrid(aResponse().withStatus(503).withBody("{\"errors\":[{\"message\":\"busy\"}]}"));
    assertThat(failure(sendGrid(mock()), email()).outcomeUnknown()).isFalse();
  }

  // ------------------------------------------------- through the pipeline: no second message

  @Test
  void aRetriedSmsJobAfterATwilioTimeoutFindsTheMessageAtTwilioAndSendsNothingMore() {
    // Twilio accepted the message, but its answer came after the time-out
    stubTwilio(aResponse().withStatus(201).withBody(ProviderHttpTest.twilioMessage("SM9")).withFixedDelay(LATE_MS));
    OutboundFixture f = new OutboundFixture();
    f.phoneProvider = twilio(mock());
    Contact c = f.optedIn(Channel.SMS);
    SendRequest request = OutboundFixture.request("k-late", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive");
    SendResult first = f.pipeline().send(request);
    assertThat(first.reason()).startsWith(CompliantSendPipeline.OUTCOME_UNKNOWN);
    MessageRecord row = f.messages.find(first.messageId()).orElseThrow();
    stubTwilioList(row, "SM9");

    SendResult retry = f.pipeline().send(request); // the job's retry asks Twilio first
    assertThat(retry.outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(MESSAGES)))).as("Twilio got the message once").hasSize(1);
    MessageRecord settled = f.messages.find(first.messageId()).orElseThrow();
    assertThat(settled.status()).isEqualTo("SENT");
    assertThat(settled.providerId()).isEqualTo("SM9");
  }

  @Test
  void aRetriedSmsJobAfterATwilioTimeoutSendsOnceWhenTwilioHasNoSuchMessage() {
    // Twilio never answered and never created the message
    stubTwilio(aResponse().withStatus(504).withFixedDelay(LATE_MS));
    OutboundFixture f = new OutboundFixture();
    f.phoneProvider = twilio(mock());
    Contact c = f.optedIn(Channel.SMS);
    SendRequest request = OutboundFixture.request("k-lost", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive");
    SendResult first = f.pipeline().send(request);
    assertThat(first.reason()).startsWith(CompliantSendPipeline.OUTCOME_UNKNOWN);
    stubTwilioList(f.messages.find(first.messageId()).orElseThrow(), null);
    stubTwilio(aResponse().withStatus(201).withBody(ProviderHttpTest.twilioMessage("SM11")));
    f.phoneProvider = twilio(mock());

    SendResult retry = f.pipeline().send(request);
    assertThat(retry.outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(retry.messageId()).isEqualTo(first.messageId());
    assertThat(wm.findAll(getRequestedFor(urlPathEqualTo(MESSAGES)))).as("Twilio was asked before sending again").hasSize(1);
    assertThat(f.messages.find(first.messageId()).orElseThrow().providerId()).isEqualTo("SM11");
  }

  @Test
  void aRetriedEmailJobAfterASendGridResetIsLookedUpInTheEmailActivityWhenTheAccountHasIt() {
    stubSendGrid(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    OutboundFixture f = new OutboundFixture();
    f.emailProvider = new SendGridProvider(config(mock(), true), timeouts());
    Contact c = f.optedIn(Channel.EMAIL);
    SendRequest request = OutboundFixture.request("k-activity", c.id(), Channel.EMAIL, MessageCategory.TRANSACTIONAL, "Votre colis arrive");
    SendResult first = f.pipeline().send(request);
    assertThat(first.reason()).startsWith(CompliantSendPipeline.OUTCOME_UNKNOWN);
    wm.stubFor(get(urlPathEqualTo("/v3/messages")).withQueryParam("query", equalTo("unique_args['messageId']=\"" + first.messageId() + "\""))
        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
            .withBody("{\"messages\":[{\"msg_id\":\"sg-activity-1\",\"to_email\":\"x\",\"status\":\"delivered\"}]}")));

    SendResult retry = f.pipeline().send(request);
    assertThat(retry.outcome()).isEqualTo(SendOutcome.SENT);
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(MAIL)))).as("SendGrid got the email once").hasSize(1);
    assertThat(f.messages.find(first.messageId()).orElseThrow().providerId()).isEqualTo("sg-activity-1");
  }

  /** Twilio's message list between the row's sender and recipient: the message, or none. */
  void stubTwilioList(MessageRecord row, String sid) {
    String messages = sid == null ? "" : "{\"sid\":\"" + sid + "\",\"body\":" + quote(row.body()) + ",\"status\":\"queued\","
        + "\"date_created\":\"" + java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(row.createdAt().atZone(java.time.ZoneOffset.UTC)) + "\"}";
    wm.stubFor(get(urlPathEqualTo(MESSAGES)).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
        .withBody("{\"messages\":[" + messages + "],\"first_page_uri\":\"" + MESSAGES + "\",\"next_page_uri\":null,"
            + "\"previous_page_uri\":null,\"page\":0,\"page_size\":20,\"start\":0,\"end\":1,\"uri\":\"" + MESSAGES + "\"}")));
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }


  @Test
  void aRetriedEmailJobAfterASendGridResetSendsNothingMore() {
    stubSendGrid(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
    retriedJobAfterUnknownOutcome(f -> sendGrid(mock()), Channel.EMAIL, MAIL);
  }

  @Test
  void aRetriedSmsJobAfterTwilioWasUnreachableSendsAgain() throws IOException {
    OutboundFixture f = new OutboundFixture();
    String unreachable = closedPort();
    f.phoneProvider = twilio(unreachable);
    Contact c = f.optedIn(Channel.SMS);
    SendRequest request = OutboundFixture.request("k-refused", c.id(), Channel.SMS, MessageCategory.TRANSACTIONAL, "Votre colis arrive");
    SendResult first = f.pipeline().send(request);
    assertThat(first.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(f.messages.find(first.messageId()).orElseThrow().status()).isEqualTo("FAILED");

    stubTwilio(aResponse().withStatus(201).withBody(ProviderHttpTest.twilioMessage("SM10")));
    f.phoneProvider = twilio(mock());
    SendResult retry = f.pipeline().send(request);
    assertThat(retry.outcome()).as(retry.toString()).isEqualTo(SendOutcome.SENT);
    assertThat(retry.messageId()).isEqualTo(first.messageId());
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(MESSAGES)))).hasSize(1);
  }

  private void retriedJobAfterUnknownOutcome(Function<OutboundFixture, MessageProvider> provider, Channel channel, String path) {
    OutboundFixture f = new OutboundFixture();
    if (channel == Channel.EMAIL) {
      f.emailProvider = provider.apply(f);
    } else {
      f.phoneProvider = provider.apply(f);
    }
    Contact c = f.optedIn(channel);
    SendRequest request = OutboundFixture.request("k-" + channel, c.id(), channel, MessageCategory.TRANSACTIONAL, "Votre colis arrive");
    SendResult first = f.pipeline().send(request);
    assertThat(first.outcome()).as("the step fails (incident), it does not go on as if sent").isEqualTo(SendOutcome.FAILED);
    assertThat(first.reason()).startsWith(CompliantSendPipeline.OUTCOME_UNKNOWN);
    MessageRecord row = f.messages.find(first.messageId()).orElseThrow();
    assertThat(row.status()).isEqualTo("UNKNOWN");

    SendResult retry = f.pipeline().send(request); // the job's retry
    assertThat(retry.outcome()).isEqualTo(SendOutcome.FAILED);
    assertThat(retry.messageId()).isEqualTo(first.messageId());
    assertThat(wm.findAll(postRequestedFor(urlEqualTo(path)))).as("the provider got the message once").hasSize(1);
    assertThat(f.messages.find(first.messageId()).orElseThrow().status()).isEqualTo("UNKNOWN");
  }
}
