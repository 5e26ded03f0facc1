package io.relais.contact;

import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API of a contact's consents: record an event, read the current state and history, start a double opt-in. */
@RestController
@RequestMapping("/api/contacts/{id}/consents")
public class ConsentController {

  private final ConsentLedger ledger;
  private final ContactRegistry registry;
  private final DoubleOptIns doubleOptIns;

  public ConsentController(ConsentLedger ledger, ContactRegistry registry, DoubleOptIns doubleOptIns) {
    this.ledger = ledger;
    this.registry = registry;
    this.doubleOptIns = doubleOptIns;
  }

  /** The current state per channel and purpose, and every event with its proof. */
  public record Consents(String contactId, Instant marketingPausedUntil, List<ConsentEvent> current, List<ConsentEvent> history) {}

  @PostMapping
  @ResponseStatus(HttpStatus.CREATED)
  public ConsentEvent record(@PathVariable String id, @RequestBody ConsentRequest body) {
    if (body == null) {
      throw new InvalidInputException(null, "A JSON body with the consent event is required");
    }
    return ledger.append(body.toEvent(id));
  }

  @GetMapping
  public Consents list(@PathVariable String id) {
    if (registry.find(id).isEmpty()) {
      throw new NotFoundException("No contact '" + id + "'");
    }
    return new Consents(id, ledger.pausedUntil(id), ledger.current(id), ledger.history(id));
  }

  /** Body {@code {"channel":"SMS"}}: asks the contact to confirm marketing by replying OUI. */
  @PostMapping("/double-opt-in")
  @ResponseStatus(HttpStatus.ACCEPTED)
  public Map<String, Object> doubleOptIn(@PathVariable String id, @RequestBody Map<String, String> body) {
    Channel channel = ConsentRequest.parse("channel", body == null ? null : body.get("channel"), Channel.class);
    ProcessInstance instance = doubleOptIns.start(id, channel);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("contactId", id);
    answer.put("channel", channel);
    answer.put("processInstanceId", instance.getId());
    answer.put("window", doubleOptIns.window());
    return answer;
  }
}
