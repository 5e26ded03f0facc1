package io.relais.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.support.Jobs;
import io.relais.support.RelaisSpringTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/**
 * {@code POST /api/journeys/starts} against the real engine and the real abandoned-cart journey:
 * chunks, per-item results, idempotency by request key, validation naming the item, security.
 */
@RelaisSpringTest
@SuppressWarnings({"unchecked", "rawtypes"})
class BulkStartsTest {

  @Autowired TestRestTemplate rest;
  @Autowired RuntimeService runtime;
  @Autowired ManagementService management;

  private final List<String> contacts = new ArrayList<>();

  @AfterEach
  void endJourneys() {
    for (String contact : contacts) {
      runtime.createProcessInstanceQuery().processInstanceBusinessKey(contact).list()
          .forEach(pi -> runtime.deleteProcessInstance(pi.getId(), "bulk start test finished", true, true));
    }
  }

  /** Contacts with an email, created with one CSV import as a CRM would. */
  private List<String> newContacts(int n) {
    StringBuilder csv = new StringBuilder("id,email,firstName\n");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "bulk-" + UUID.randomUUID();
      ids.add(id);
      csv.append(id).append(',').append(id).append("@exemple.fr,Camille\n");
    }
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.parseMediaType("text/csv"));
    ResponseEntity<Map> r = rest.withBasicAuth("admin", "admin").postForEntity("/api/contacts/import", new HttpEntity<>(csv.toString(), headers), Map.class);
    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.OK);
    contacts.addAll(ids);
    return ids;
  }

  private static Map<String, Object> request(String requestKey, List<String> contactIds) {
    List<Map<String, Object>> items = contactIds.stream()
        .map(id -> Map.<String, Object>of("contactId", id, "variables", Map.of("cartUrl", "https://maboutique.fr/panier/" + id)))
        .toList();
    return Map.of("message", "CartAbandoned", "requestKey", requestKey, "items", items);
  }

  private ResponseEntity<Map> post(String user, Object body) {
    return rest.withBasicAuth(user, user).postForEntity("/api/journeys/starts", body, Map.class);
  }

  private static List<Map<String, Object>> items(ResponseEntity<Map> r) {
    return (List<Map<String, Object>>) r.getBody().get("items");
  }

  @Test
  void startsEveryItemInChunksAndEachJourneySendsItsCartEmail() {
    List<String> ids = newContacts(230); // three chunks of at most 100
    ResponseEntity<Map> r = post("integration", request("campaign-" + UUID.randomUUID(), ids));

    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.OK);
    assertThat(r.getBody()).containsEntry("message", "CartAbandoned").containsEntry("requested", 230).containsEntry("started", 230)
        .containsEntry("alreadyStarted", 0).containsEntry("failed", 0);
    List<Map<String, Object>> items = items(r);
    assertThat(items).extracting(i -> i.get("index")).containsExactlyElementsOf(IntStream.range(0, 230).boxed().toList());
    assertThat(items).allSatisfy(i -> assertThat(i).containsEntry("status", "STARTED").containsKey("processInstanceId"));

    Map<String, Object> last = items.get(229);
    assertThat(last).containsEntry("contactId", ids.get(229));
    ProcessInstance pi = runtime.createProcessInstanceQuery().processInstanceId((String) last.get("processInstanceId")).singleResult();
    assertThat(pi.getBusinessKey()).isEqualTo(ids.get(229));
    assertThat(runtime.getVariable(pi.getId(), "cartUrl")).isEqualTo("https://maboutique.fr/panier/" + ids.get(229));
    assertThat(runtime.createProcessInstanceQuery().processDefinitionKey("abandoned-cart").list())
        .filteredOn(p -> ids.contains(p.getBusinessKey())).hasSize(230);

    Jobs.runDue(management, pi.getId());
    runtime.createProcessInstanceQuery().superProcessInstanceId(pi.getId()).list().forEach(send -> Jobs.runDue(management, send.getId()));
    assertThat(runtime.createProcessInstanceQuery().superProcessInstanceId(pi.getId()).count()).isZero();
    assertThat(runtime.getActiveActivityIds(pi.getId())).contains("Gateway_EmailEngagement");
    assertThat(runtime.getVariable(pi.getId(), "sendOutcome")).isNotNull();
  }

  @Test
  void aRepeatedRequestStartsNothingTwiceAndANewRequestKeyStartsAgain() {
    List<String> ids = newContacts(3);
    Map<String, Object> body = request("carts-2026-11-27", ids);
    List<Map<String, Object>> first = items(post("integration", body));

    ResponseEntity<Map> again = post("integration", body);
    assertThat(again.getBody()).containsEntry("started", 0).containsEntry("alreadyStarted", 3);
    for (int i = 0; i < 3; i++) {
      assertThat(items(again).get(i)).containsEntry("status", "ALREADY_STARTED")
          .containsEntry("processInstanceId", first.get(i).get("processInstanceId"));
    }
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(ids.get(0)).count()).isEqualTo(1);

    // The item's own request key (e.g. the cart id) wins over the request's.
    Map<String, Object> newCart = Map.of("message", "CartAbandoned", "requestKey", "carts-2026-11-27",
        "items", List.of(Map.of("contactId", ids.get(0), "requestKey", "cart-99", "variables", Map.of("cartUrl", "https://x.fr/p"))));
    assertThat(items(post("integration", newCart)).get(0)).containsEntry("status", "STARTED");
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(ids.get(0)).count()).isEqualTo(2);
  }

  @Test
  void unknownAndErasedContactsAreReportedAndTheOthersStart() {
    List<String> ids = new ArrayList<>(newContacts(2));
    ids.add(1, "bulk-nobody-" + UUID.randomUUID());
    ResponseEntity<Map> r = post("marketer", request("r-" + UUID.randomUUID(), ids));
    assertThat(r.getBody()).containsEntry("started", 2).containsEntry("unknownContacts", 1);
    assertThat(items(r)).extracting(i -> i.get("status")).containsExactly("STARTED", "UNKNOWN_CONTACT", "STARTED");
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(ids.get(1)).count()).isZero();
  }

  @Test
  void invalidItemsAreRejectedNamingTheFieldAndNothingStarts() {
    List<String> ids = newContacts(2);
    List<Map<String, Object>> items = new ArrayList<>();
    items.add(Map.of("contactId", ids.get(0)));
    items.add(Map.of("variables", Map.of("cartUrl", "https://x.fr")));
    assertBadRequest(Map.of("message", "CartAbandoned", "requestKey", "k", "items", items), "items[1].contactId");

    Map<String, Object> nested = Map.of("contactId", ids.get(1), "variables", Map.of("cart", Map.of("url", "https://x.fr")));
    assertBadRequest(Map.of("message", "CartAbandoned", "requestKey", "k", "items", List.of(items.get(0), nested)), "items[1].variables.cart");
    assertBadRequest(Map.of("message", "CartAbandoned", "requestKey", "k", "items", List.of(items.get(0), items.get(0))), "items[1].contactId");
    assertBadRequest(Map.of("message", "CartAbandoned", "items", List.of(items.get(0))), "items[0].requestKey");
    assertBadRequest(Map.of("requestKey", "k", "items", List.of(items.get(0))), "message");
    assertBadRequest(Map.of("message", "CartAbandoned", "requestKey", "k", "items", List.of()), "items");
    List<Map<String, Object>> tooMany = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      tooMany.add(Map.of("contactId", "c-" + i));
    }
    assertBadRequest(Map.of("message", "CartAbandoned", "requestKey", "k", "items", tooMany), "items");
    assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey(ids.get(0)).count()).isZero();

    ResponseEntity<Map> unknownMessage = post("integration", Map.of("message", "NoSuchEvent", "requestKey", "k", "items", List.of(items.get(0))));
    assertThat(unknownMessage.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
  }

  private void assertBadRequest(Map<String, Object> body, String field) {
    ResponseEntity<Map> r = post("integration", body);
    assertThat(r.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    assertThat(r.getBody()).containsEntry("field", field);
  }

  @Test
  void onlyApiWritersWithEngineRightsMayStartJourneys() {
    Map<String, Object> body = request("k-" + UUID.randomUUID(), newContacts(1));
    assertThat(rest.postForEntity("/api/journeys/starts", body, Map.class).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
    assertThat(post("agent", body).getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
    assertThat(post("integration", body).getBody()).containsEntry("started", 1);
  }
}
