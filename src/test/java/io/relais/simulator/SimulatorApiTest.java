package io.relais.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.relais.contact.Channel;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import io.relais.support.RelaisSpringTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The simulator's API as the page uses it: login, test contacts, business events, journeys. */
@RelaisSpringTest
class SimulatorApiTest {

  @LocalServerPort int port;
  @Autowired RuntimeService runtimeService;
  @Autowired RepositoryService repositoryService;
  @Autowired MessageLog messageLog;
  @Autowired Clock clock;
  @Autowired ObjectMapper json;

  String phone;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  HttpResponse<String> call(String method, String path, String body, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  static String[] basic(String user) {
    return new String[] {"Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user).getBytes(StandardCharsets.UTF_8))};
  }

  static final String[] MARKETER = basic("marketer");

  /** As the page does: the contact through the contacts API, then into the simulator's list. */
  String newContact() throws Exception {
    String id = "sim-test-" + UUID.randomUUID().toString().substring(0, 8);
    phone = "+33612" + String.format("%06d", java.util.concurrent.ThreadLocalRandom.current().nextInt(1_000_000));
    var created = call("PUT", "/api/contacts/" + id,
        "{\"firstName\":\"Camille\",\"phone\":\"" + phone + "\",\"email\":\"" + id + "@example.com\"}", MARKETER);
    assertThat(created.statusCode()).as(created.body()).isBetween(200, 201);
    var r = call("POST", "/simulator/api/contacts",
        "{\"id\":\"" + id + "\",\"firstName\":\"Camille\",\"phone\":\"" + phone + "\",\"email\":\"" + id + "@example.com\"}", MARKETER);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return id;
  }

  @Test
  void thePageNeedsALoginAndSaysNoRealMessageIsSent() throws Exception {
    var anonymous = call("GET", "/simulator", null);
    assertThat(anonymous.statusCode()).isEqualTo(302);
    assertThat(anonymous.headers().firstValue("Location").orElseThrow()).endsWith("/login?next=%2Fsimulator");

    var page = call("GET", "/simulator", null, MARKETER);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("Simulateur : aucun message réel n'est envoyé", "/simulator/simulator.js", "/relais.css");
    assertThat(call("GET", "/simulator/simulator.js", null, MARKETER).body()).contains("X-Requested-With");
  }

  @Test
  void aBrowserSessionFromLoginWritesOnlyWithTheXRequestedWithHeader() throws Exception {
    HttpResponse<String> login = http.send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/login"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("username=marketer&password=marketer&next=%2Fsimulator")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(login.headers().firstValue("Location")).hasValue("/simulator");
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String body = "{\"id\":\"sim-session-" + UUID.randomUUID().toString().substring(0, 8) + "\",\"phone\":\"+33612000001\"}";

    assertThat(call("GET", "/simulator/api/contacts", null, "Cookie", cookie).statusCode()).isEqualTo(200);
    assertThat(call("POST", "/simulator/api/contacts", body, "Cookie", cookie).statusCode()).isEqualTo(403);
    assertThat(call("POST", "/simulator/api/contacts", body, "Cookie", cookie, "X-Requested-With", "fetch").statusCode()).isEqualTo(201);
  }

  @Test
  void aRegisteredContactIsListedWithItsNumberInE164() throws Exception {
    String id = newContact();
    JsonNode list = json.readTree(call("GET", "/simulator/api/contacts", null, MARKETER).body());
    JsonNode mine = null;
    for (JsonNode c : list) {
      if (c.get("id").asText().equals(id)) {
        mine = c;
      }
    }
    assertThat(mine).isNotNull();
    assertThat(mine.get("phone").asText()).isEqualTo(phone);
    assertThat(mine.get("firstName").asText()).isEqualTo("Camille");
  }

  @Test
  void aNationalNumberIsKeptInE164() throws Exception {
    String id = "sim-national-" + UUID.randomUUID().toString().substring(0, 8);
    var r = call("POST", "/simulator/api/contacts", "{\"id\":\"" + id + "\",\"phone\":\"06 12 34 56 78\"}", MARKETER);
    assertThat(json.readTree(r.body()).get("phone").asText()).isEqualTo("+33612345678");
  }

  @Test
  void badContactsAreRefusedNamingTheField() throws Exception {
    var badPhone = call("POST", "/simulator/api/contacts", "{\"id\":\"sim-x1\",\"phone\":\"12\"}", MARKETER);
    assertThat(badPhone.statusCode()).isEqualTo(400);
    assertThat(json.readTree(badPhone.body()).get("field").asText()).isEqualTo("phone");
    var badId = call("POST", "/simulator/api/contacts", "{\"id\":\"a b\",\"phone\":\"+33612000002\"}", MARKETER);
    assertThat(json.readTree(badId.body()).get("field").asText()).isEqualTo("id");
    var badEmail = call("POST", "/simulator/api/contacts", "{\"id\":\"sim-x2\",\"phone\":\"+33612000002\",\"email\":\"nope\"}", MARKETER);
    assertThat(json.readTree(badEmail.body()).get("field").asText()).isEqualTo("email");
    // Without a session the page's calls are sent to the login page, like the page itself.
    assertThat(call("POST", "/simulator/api/contacts", "{\"id\":\"sim-x3\",\"phone\":\"+33612000002\"}").statusCode())
        .isEqualTo(302);
  }

  @Test
  void cartAbandonedStartsTheJourneyWithShortenedWaitsAndShowsWhereItStands() throws Exception {
    String deployment = deployStubJourneyIfNoneListens();
    try {
      String id = newContact();
      var raised = call("POST", "/simulator/api/contacts/" + id + "/events", "{\"event\":\"CART_ABANDONED\",\"accelerate\":true}", MARKETER);
      assertThat(raised.statusCode()).as(raised.body()).isEqualTo(201);
      String instanceId = json.readTree(raised.body()).get("processInstanceIds").get(0).asText();

      ProcessInstance pi = runtimeService.createProcessInstanceQuery().processInstanceId(instanceId).singleResult();
      assertThat(pi.getBusinessKey()).isEqualTo(id);
      assertThat(runtimeService.getVariable(instanceId, "cartEmailWait")).isEqualTo("PT2S");
      assertThat(runtimeService.getVariable(instanceId, "contactId")).isEqualTo(id);
      assertThat((String) runtimeService.getVariable(instanceId, "cartUrl")).startsWith("https://");

      JsonNode journeys = json.readTree(call("GET", "/simulator/api/contacts/" + id + "/journeys", null, MARKETER).body());
      assertThat(journeys).hasSize(1);
      assertThat(journeys.get(0).get("ended").asBoolean()).isFalse();
      assertThat(journeys.get(0).get("currentSteps")).isNotEmpty();
      assertThat(journeys.get(0).get("cockpitUrl").asText())
          .isEqualTo("/camunda/app/cockpit/default/#/process-instance/" + instanceId);

      boolean waitsForOrder = runtimeService.createEventSubscriptionQuery()
          .processInstanceId(instanceId).eventName("OrderPlaced").count() > 0;
      var ordered = call("POST", "/simulator/api/contacts/" + id + "/events", "{\"event\":\"ORDER_PLACED\"}", MARKETER);
      assertThat(ordered.statusCode()).isEqualTo(201);
      assertThat(json.readTree(ordered.body()).get("processInstanceIds").toString().contains(instanceId)).isEqualTo(waitsForOrder);
    } finally {
      if (deployment != null) {
        repositoryService.deleteDeployment(deployment, true);
      }
    }
  }

  @Test
  void eventsAreCheckedBeforeAnythingHappens() throws Exception {
    String id = newContact();
    var unknown = call("POST", "/simulator/api/contacts/" + id + "/events", "{\"event\":\"BIRTHDAY\"}", MARKETER);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(json.readTree(unknown.body()).get("field").asText()).isEqualTo("event");
    assertThat(call("POST", "/simulator/api/contacts/nobody-" + UUID.randomUUID() + "/events", "{\"event\":\"CART_ABANDONED\"}", MARKETER)
        .statusCode()).isEqualTo(404);
    assertThat(runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(id).count()).isZero();
  }

  @Test
  void aReplyGoesThroughTwiliosWebhookIntoTheTranscript() throws Exception {
    String id = newContact();
    messageLog.insert(outbound(id, Channel.SMS, "Votre panier vous attend. STOP au 36180"));
    var r = call("POST", "/simulator/api/contacts/" + id + "/replies", "{\"channel\":\"SMS\",\"text\":\"Je réfléchis encore\"}", MARKETER);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    String sid = json.readTree(r.body()).get("messageSid").asText();
    var in = messageLog.transcript(id).stream().filter(m -> m.direction() == io.relais.conversation.Direction.IN).toList();
    assertThat(in).hasSize(1);
    assertThat(in.get(0).body()).isEqualTo("Je réfléchis encore");
    assertThat(in.get(0).providerId()).isEqualTo(sid);
    assertThat(in.get(0).fromAddress()).isEqualTo(phone);
    assertThat(in.get(0).toAddress()).isEqualTo("36180");
  }

  @Test
  void repliesAreCheckedBeforeReachingTheWebhook() throws Exception {
    String id = newContact();
    var rcs = call("POST", "/simulator/api/contacts/" + id + "/replies", "{\"channel\":\"RCS\",\"text\":\"Bonjour\"}", MARKETER);
    assertThat(json.readTree(rcs.body()).get("field").asText()).isEqualTo("channel");
    var empty = call("POST", "/simulator/api/contacts/" + id + "/replies", "{\"channel\":\"SMS\",\"text\":\"  \"}", MARKETER);
    assertThat(json.readTree(empty.body()).get("field").asText()).isEqualTo("text");
    var tooLong = call("POST", "/simulator/api/contacts/" + id + "/replies",
        "{\"channel\":\"SMS\",\"text\":\"" + "a".repeat(1601) + "\"}", MARKETER);
    assertThat(tooLong.statusCode()).isEqualTo(400);
  }

  @Test
  void openingAnEmailGoesThroughSendGridsEventWebhook() throws Exception {
    String id = newContact();
    MessageRecord email = messageLog.insert(outbound(id, Channel.EMAIL, "Votre panier vous attend\nhttps://boutique.example/panier"));
    var r = call("POST", "/simulator/api/messages/" + email.id() + "/open", null, MARKETER);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    // The webhook moved the message forward as for a real open: read.
    assertThat(messageLog.find(email.id()).orElseThrow().status()).isEqualTo("READ");
  }

  @Test
  void onlyAnEmailRelaisSentCanBeOpened() throws Exception {
    String id = newContact();
    MessageRecord sms = messageLog.insert(outbound(id, Channel.SMS, "Votre panier vous attend. STOP au 36180"));
    var r = call("POST", "/simulator/api/messages/" + sms.id() + "/open", null, MARKETER);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(call("POST", "/simulator/api/messages/" + UUID.randomUUID() + "/open", null, MARKETER).statusCode()).isEqualTo(404);
  }

  @Test
  void theStreamPushesAMessageWrittenToTheTableByAnyNode() throws Exception {
    String id = newContact();
    var lines = new java.util.concurrent.LinkedBlockingQueue<String>();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/simulator/api/stream?contactId=" + id))
        .header("Accept", "text/event-stream").header(MARKETER[0], MARKETER[1]).build();
    var response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    var stream = response.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(stream.statusCode()).isEqualTo(200);
    Thread reader = new Thread(() -> {
      try {
        stream.body().forEach(lines::add);
      } catch (java.io.UncheckedIOException closedByTheTest) {
        // the test closes the stream when done
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      assertThat(nextSnapshot(lines).get("messages")).isEmpty();
      // Written straight to the table, as another node's simulator provider would.
      messageLog.insert(outbound(id, Channel.SMS, "Votre panier vous attend. STOP au 36180"));
      JsonNode next = nextSnapshot(lines);
      assertThat(next.get("messages")).hasSize(1);
      assertThat(next.get("messages").get(0).get("body").asText()).contains("STOP au 36180");
      assertThat(next.get("messages").get(0).get("channel").asText()).isEqualTo("SMS");
    } finally {
      stream.body().close();
    }
  }

  JsonNode nextSnapshot(java.util.concurrent.BlockingQueue<String> lines) throws Exception {
    long deadline = System.currentTimeMillis() + 8000;
    boolean inSnapshot = false;
    while (System.currentTimeMillis() < deadline) {
      String line = lines.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      if (line.equals("event:snapshot")) {
        inSnapshot = true;
      } else if (inSnapshot && line.startsWith("data:")) {
        return json.readTree(line.substring(5));
      }
    }
    throw new AssertionError("No snapshot event within 8 s");
  }

  MessageRecord outbound(String contactId, Channel channel, String body) {
    var now = clock.instant();
    String id = UUID.randomUUID().toString();
    return new MessageRecord(id, contactId, io.relais.conversation.Direction.OUT, channel, "MARKETING",
        "DELIVERED", body, "36180", channel == Channel.EMAIL ? contactId + "@example.com" : phone, "SIMULATOR", "SIM-" + id, null, null, "abandoned-cart", 1,
        "Task_SendSms", null, 1, "GSM7", null, null, null, now, now);
  }

  /** The journeys helper ships abandoned-cart; until then a stub with the same start message stands in. */
  String deployStubJourneyIfNoneListens() {
    if (repositoryService.createProcessDefinitionQuery().messageEventSubscriptionName("CartAbandoned").count() > 0) {
      return null;
    }
    BpmnModelInstance stub = Bpmn.createExecutableProcess("simulator-test-cart")
        .name("Panier abandonné (test du simulateur)").camundaHistoryTimeToLive(1)
        .startEvent("StartEvent_CartAbandoned").message("CartAbandoned")
        .eventBasedGateway().id("Gateway_EmailOrOrder")
        .intermediateCatchEvent("Event_EmailWait").name("Attendre l'ouverture").timerWithDuration("${cartEmailWait}")
        .endEvent("EndEvent_NotOpened")
        .moveToLastGateway()
        .intermediateCatchEvent("Event_OrderPlaced").name("Commande passée").message("OrderPlaced")
        .endEvent("EndEvent_Ordered")
        .done();
    return repositoryService.createDeployment().name("simulator-test").addModelInstance("simulator-test-cart.bpmn", stub)
        .deploy().getId();
  }
}
