package io.relais.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.contact.Channel;
import io.relais.conversation.Direction;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.camunda.bpm.engine.RepositoryService;

/** Signed Twilio webhook requests, fresh phone numbers, test journeys: what the inbound tests share. */
final class InboundTestSupport {

  static final String TOKEN = "test-twilio-auth-token";
  static final String BRAND_NUMBER = "+33937000001";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private InboundTestSupport() {}

  static String freshPhone() {
    return "+3361" + String.format("%07d", ThreadLocalRandom.current().nextInt(10_000_000));
  }

  static String sid() {
    return "SM" + UUID.randomUUID().toString().replace("-", "");
  }

  /** Twilio's inbound form for a text message. */
  static Map<String, String> form(String from, String body) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("MessageSid", sid());
    p.put("AccountSid", "AC" + "0".repeat(32));
    p.put("From", from);
    p.put("To", from.startsWith("whatsapp:") ? "whatsapp:" + BRAND_NUMBER : BRAND_NUMBER);
    if (body != null) {
      p.put("Body", body);
    }
    p.put("NumMedia", "0");
    return p;
  }

  /** The signature exactly as Twilio computes it: HMAC-SHA1 over URL + sorted key/values, Base64. */
  static String sign(String url, Map<String, String> params, String token) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String encode(Map<String, String> params) {
    return params.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }

  static HttpResponse<String> post(int port, String pathAndQuery, String body, String signature) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + pathAndQuery))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (signature != null) {
      b.header("X-Twilio-Signature", signature);
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> get(int port, String path, String user) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).GET();
    if (user != null) {
      b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)));
    }
    try {
      return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpResponse<String> postAs(int port, String path, String user) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8)))
        .POST(HttpRequest.BodyPublishers.noBody()).build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A message a journey sent, as the send pipeline records it (what routing looks at). */
  static MessageRecord journeyWrote(MessageLog log, String contactId, Channel channel, String processInstanceId, Instant at) {
    MessageRecord m = new MessageRecord(UUID.randomUUID().toString(), contactId, Direction.OUT, channel, "MARKETING", "SENT",
        "Vous avez besoin d'aide pour l'utiliser ?", BRAND_NUMBER, null, "FAKE", null, null, processInstanceId,
        "inbound-test-waiting-journey", 1, "Task_Ask", null, 1, "GSM7", null, null, null, at, at);
    return log.insert(m);
  }

  /** Deploys the test journeys, and stand-ins for the start messages no real journey listens to yet. */
  static synchronized void deployTestJourneys(RepositoryService repo) {
    if (repo.createDeploymentQuery().deploymentName("inbound-tests").count() > 0) {
      return;
    }
    var deployment = repo.createDeployment().name("inbound-tests")
        .addClasspathResource("inbound/inbound-test-waiting-journey.bpmn");
    // a start message belongs to one process: stand in only where no real journey listens
    if (repo.createProcessDefinitionQuery().messageEventSubscriptionName("ConversationStarted").count() == 0) {
      deployment.addClasspathResource("inbound/inbound-conversation.bpmn");
    }
    if (repo.createProcessDefinitionQuery().messageEventSubscriptionName("KeywordReceived").count() == 0) {
      deployment.addClasspathResource("inbound/inbound-test-keyword-journey.bpmn");
    }
    deployment.deploy();
  }

  static void assertTwiml(HttpResponse<String> r) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/xml");
    assertThat(r.body()).contains("<Response/>");
  }
}
