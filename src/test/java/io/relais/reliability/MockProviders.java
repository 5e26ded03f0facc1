package io.relais.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * A mock Twilio and SendGrid on loopback that answer like the real APIs and count what they
 * received per recipient, so that tests prove "exactly once" by counting. Faults (500s, slow
 * answers) are switched on and off while Relais runs.
 */
public final class MockProviders implements AutoCloseable {

  public static final String ACCOUNT_SID = "AC00000000000000000000000000000001";
  public static final String AUTH_TOKEN = "reliability-auth-token";
  public static final String SENDGRID_KEY = "SG.reliability-key";
  private static final String TWILIO_MESSAGES = "/2010-04-01/Accounts/[^/]+/Messages.json";

  private final WireMockServer server;
  private final ObjectMapper json = new ObjectMapper();
  private StubMapping fault;

  public MockProviders() {
    Lookups lookups = new Lookups();
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(40).asynchronousResponseEnabled(false)
        .extensions(lookups));
    lookups.journal = server;
    server.start();
    // what Relais asks about a message in doubt: Twilio's message list, SendGrid's Email Activity
    server.stubFor(get(urlPathMatching(TWILIO_MESSAGES)).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withTransformers(Lookups.NAME)));
    server.stubFor(get(urlPathEqualTo("/v3/messages")).willReturn(aResponse().withStatus(200)
        .withHeader("Content-Type", "application/json").withTransformers(Lookups.NAME)));
    server.stubFor(post(urlPathMatching(TWILIO_MESSAGES)).atPriority(5).willReturn(aResponse()
        .withStatus(201)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\",\"account_sid\":\"" + ACCOUNT_SID
            + "\",\"num_segments\":\"1\"}")
        .withTransformers("response-template")));
    server.stubFor(post(urlPathEqualTo("/v3/mail/send")).atPriority(5).willReturn(aResponse()
        .withStatus(202)
        .withHeader("X-Message-Id", "{{randomValue length=22 type='ALPHANUMERIC'}}")
        .withTransformers("response-template")));
  }

  public String baseUrl() {
    return "http://localhost:" + server.port();
  }

  /** The Relais properties that point the real SDKs at this mock. */
  public Map<String, String> relaisProperties() {
    return Map.of(
        "relais.twilio.account-sid", ACCOUNT_SID,
        "relais.twilio.auth-token", AUTH_TOKEN,
        "relais.twilio.api-base-url", baseUrl(),
        "relais.sendgrid.api-key", SENDGRID_KEY,
        "relais.sendgrid.api-base-url", baseUrl(),
        "relais.sendgrid.activity-lookup", "true");
  }

  /** From now on Twilio answers 500 (as during an outage) until {@link #heal()}. */
  public void twilioFails() {
    heal();
    fault = server.stubFor(post(urlPathMatching(TWILIO_MESSAGES)).atPriority(1)
        .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
            .withBody("{\"code\":20500,\"message\":\"Internal Server Error\",\"status\":500}")));
  }

  /** From now on Twilio answers only after {@code millis} (a time-out for the caller) until {@link #heal()}. */
  public void twilioHangs(int millis) {
    heal();
    fault = server.stubFor(post(urlPathMatching(TWILIO_MESSAGES)).atPriority(1)
        .willReturn(aResponse().withStatus(504).withFixedDelay(millis)));
  }

  /** From now on Twilio accepts messages but only after {@code millis}, so that sends queue up. */
  public void twilioSlow(int millis) {
    heal();
    fault = server.stubFor(post(urlPathMatching(TWILIO_MESSAGES)).atPriority(1).willReturn(aResponse()
        .withStatus(201).withFixedDelay(millis)
        .withHeader("Content-Type", "application/json")
        .withBody("{\"sid\":\"SM{{randomValue length=32 type='HEXADECIMAL'}}\",\"status\":\"queued\"}")
        .withTransformers("response-template")));
  }

  /** From now on SendGrid accepts emails but only after {@code millis}, so that calls are under way when a node dies. */
  public void sendGridSlow(int millis) {
    heal();
    fault = server.stubFor(post(urlPathEqualTo("/v3/mail/send")).atPriority(1).willReturn(aResponse()
        .withStatus(202).withFixedDelay(millis)
        .withHeader("X-Message-Id", "{{randomValue length=22 type='ALPHANUMERIC'}}")
        .withTransformers("response-template")));
  }

  /** When the mock received each accepted SMS, per recipient. */
  public Map<String, List<Instant>> smsTimesByRecipient() {
    return smsTimesByRecipient(body -> true);
  }

  /** When the mock received each accepted SMS whose text passes the filter, per recipient. */
  public Map<String, List<Instant>> smsTimesByRecipient(java.util.function.Predicate<String> text) {
    Map<String, List<Instant>> times = new HashMap<>();
    for (var event : server.getAllServeEvents()) {
      LoggedRequest r = event.getRequest();
      if (r.getMethod().getName().equals("POST") && r.getUrl().matches(TWILIO_MESSAGES + ".*") && event.getResponse().getStatus() == 201
          && text.test(formParam(r.getBodyAsString(), "Body"))) {
        times.computeIfAbsent(formParam(r.getBodyAsString(), "To"), k -> new ArrayList<>()).add(r.getLoggedDate().toInstant());
      }
    }
    return times;
  }

  public void heal() {
    if (fault != null) {
      server.removeStub(fault);
      fault = null;
    }
  }

  /** Successful SMS/WhatsApp/RCS creations per recipient ({@code To}). */
  public Map<String, Integer> smsByRecipient() {
    Map<String, Integer> counts = new HashMap<>();
    for (var event : server.getAllServeEvents()) {
      LoggedRequest r = event.getRequest();
      if (r.getUrl().matches(TWILIO_MESSAGES + ".*") && event.getResponse().getStatus() == 201) {
        counts.merge(formParam(r.getBodyAsString(), "To"), 1, Integer::sum);
      }
    }
    return counts;
  }

  /** Every Twilio message request, failed or not. */
  public int twilioRequests() {
    return server.findAll(postRequestedFor(urlPathMatching(TWILIO_MESSAGES))).size();
  }

  /** Accepted emails per recipient. */
  public Map<String, Integer> emailsByRecipient() {
    Map<String, Integer> counts = new HashMap<>();
    for (var event : server.getAllServeEvents()) {
      if (event.getRequest().getUrl().startsWith("/v3/mail/send") && event.getResponse().getStatus() == 202) {
        try {
          for (JsonNode p : json.readTree(event.getRequest().getBodyAsString()).path("personalizations")) {
            for (JsonNode to : p.path("to")) {
              counts.merge(to.path("email").asText(), 1, Integer::sum);
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return counts;
  }

  /** Every email request to this recipient (accepted or not): when, the answer, and the messageId custom arg. */
  public List<String> emailRequests(String recipient) {
    List<String> found = new ArrayList<>();
    for (var event : server.getAllServeEvents()) {
      if (event.getRequest().getUrl().startsWith("/v3/mail/send")) {
        try {
          for (JsonNode p : json.readTree(event.getRequest().getBodyAsString()).path("personalizations")) {
            for (JsonNode to : p.path("to")) {
              if (recipient.equals(to.path("email").asText())) {
                found.add(event.getRequest().getLoggedDate().toInstant() + " HTTP " + event.getResponse().getStatus()
                    + " messageId=" + p.path("custom_args").path("messageId").asText()
                    + " process=" + p.path("custom_args").path("processInstanceId").asText());
              }
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return found;
  }

  /**
   * Answers lookups from what the mock accepted: {@code GET .../Messages.json?To=&From=} lists the
   * accepted Twilio messages between them, {@code GET /v3/messages?query=unique_args['messageId']="..."}
   * the accepted emails carrying that id.
   */
  static final class Lookups implements ResponseTransformerV2 {
    static final String NAME = "relais-lookups";
    private static final DateTimeFormatter RFC_2822 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.US);
    private final ObjectMapper json = new ObjectMapper();
    volatile WireMockServer journal;

    @Override
    public String getName() {
      return NAME;
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
      LoggedRequest request = serveEvent.getRequest();
      ObjectNode answer = json.createObjectNode();
      try {
        if (request.getUrl().startsWith("/v3/messages")) {
          ArrayNode found = answer.putArray("messages");
          String query = request.queryParameter("query").firstValue();
          String wanted = query.substring(query.indexOf('"') + 1, query.lastIndexOf('"'));
          for (ServeEvent e : journal.getAllServeEvents()) {
            if (e.getRequest().getUrl().startsWith("/v3/mail/send") && e.getResponse().getStatus() == 202) {
              for (JsonNode p : json.readTree(e.getRequest().getBodyAsString()).path("personalizations")) {
                if (wanted.equals(p.path("custom_args").path("messageId").asText())) {
                  found.addObject().put("msg_id", e.getResponse().getHeaders().getHeader("X-Message-Id").firstValue());
                }
              }
            }
          }
        } else {
          String to = request.queryParameter("To").firstValue();
          String from = request.queryParameter("From").firstValue();
          ArrayNode found = answer.putArray("messages");
          for (ServeEvent e : journal.getAllServeEvents()) {
            LoggedRequest r = e.getRequest();
            if (r.getMethod().getName().equals("POST") && r.getUrl().matches(TWILIO_MESSAGES + ".*") && e.getResponse().getStatus() == 201
                && to.equals(formParam(r.getBodyAsString(), "To")) && from.equals(formParam(r.getBodyAsString(), "From"))) {
              found.addObject()
                  .put("sid", json.readTree(e.getResponse().getBodyAsString()).path("sid").asText())
                  .put("body", formParam(r.getBodyAsString(), "Body"))
                  .put("to", to).put("from", from).put("status", "queued")
                  .put("date_created", RFC_2822.format(r.getLoggedDate().toInstant().atZone(ZoneOffset.UTC)));
            }
          }
          String uri = request.getUrl();
          answer.put("first_page_uri", uri).putNull("next_page_uri").putNull("previous_page_uri")
              .put("page", 0).put("page_size", 20).put("start", 0).put("end", found.size()).put("uri", uri);
        }
        return Response.Builder.like(response).but().body(json.writeValueAsString(answer)).build();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static String formParam(String body, String name) {
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals(name)) {
        return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return "?" + UUID.randomUUID();
  }

  @Override
  public void close() {
    server.stop();
  }
}
