package io.relais.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
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
    server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort().containerThreads(40).asynchronousResponseEnabled(false));
    server.start();
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
        "relais.sendgrid.api-base-url", baseUrl());
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

  /** When the mock received each accepted SMS, per recipient. */
  public Map<String, List<Instant>> smsTimesByRecipient() {
    Map<String, List<Instant>> times = new HashMap<>();
    for (var event : server.getAllServeEvents()) {
      LoggedRequest r = event.getRequest();
      if (r.getUrl().matches(TWILIO_MESSAGES + ".*") && event.getResponse().getStatus() == 201) {
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
