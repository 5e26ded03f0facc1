package io.relais.simulator;

import io.relais.simulator.SimulatorContacts.TestContact;
import io.relais.web.RelaisUser;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * The simulator page and its API ({@code /simulator/api/**}), behind Relais' login like every
 * page: a browser uses the session opened at {@code /login} and sends {@code X-Requested-With} on
 * writes.
 */
@RestController
public class SimulatorController {

  private static final Resource PAGE = new ClassPathResource("static/simulator/index.html");

  /** A contact created through the contacts API, to play in the simulator. */
  public record NewTestContact(String id, String firstName, String phone, String email) {}

  /** A reply typed on the simulated phone. */
  public record Reply(String channel, String text) {}

  /** A business event raised from the page; {@code accelerate} shortens the journey's waits. */
  public record RaiseEvent(String event, Boolean accelerate) {}

  private final SimulatedCustomer customer;
  private final SimulatorContacts contacts;
  private final SimulatorStream stream;
  private final JourneyStates journeys;

  public SimulatorController(
      SimulatedCustomer customer, SimulatorContacts contacts, SimulatorStream stream, JourneyStates journeys) {
    this.customer = customer;
    this.contacts = contacts;
    this.stream = stream;
    this.journeys = journeys;
  }

  @GetMapping(value = {"/simulator", "/simulator/"}, produces = MediaType.TEXT_HTML_VALUE)
  public ResponseEntity<Resource> page() {
    return ResponseEntity.ok().cacheControl(CacheControl.noCache()).contentType(MediaType.TEXT_HTML).body(PAGE);
  }

  @GetMapping("/simulator/api/contacts")
  public List<TestContact> contacts() {
    return contacts.recent(50);
  }

  @PostMapping("/simulator/api/contacts")
  @ResponseStatus(HttpStatus.CREATED)
  public TestContact register(@RequestBody NewTestContact body, HttpServletRequest request) {
    String user = RelaisUser.of(request).map(RelaisUser::id).orElse(null);
    return customer.register(body.id(), body.firstName(), body.phone(), body.email(), user);
  }

  @GetMapping("/simulator/api/contacts/{id}")
  public SimulatorStream.Snapshot snapshot(@PathVariable String id) {
    customer.contact(id);
    return stream.snapshot(id);
  }

  @GetMapping("/simulator/api/contacts/{id}/journeys")
  public List<JourneyStates.JourneyState> journeys(@PathVariable String id) {
    customer.contact(id);
    return journeys.of(id);
  }

  @PostMapping("/simulator/api/contacts/{id}/replies")
  @ResponseStatus(HttpStatus.ACCEPTED)
  public Map<String, String> reply(@PathVariable String id, @RequestBody Reply body) {
    return Map.of("messageSid", customer.reply(id, body.channel(), body.text()));
  }

  @PostMapping("/simulator/api/contacts/{id}/events")
  @ResponseStatus(HttpStatus.CREATED)
  public Map<String, List<String>> raise(@PathVariable String id, @RequestBody RaiseEvent body) {
    return Map.of(
        "processInstanceIds", customer.raise(id, body.event(), Boolean.TRUE.equals(body.accelerate())));
  }

  @PostMapping("/simulator/api/messages/{messageId}/open")
  @ResponseStatus(HttpStatus.ACCEPTED)
  public void open(@PathVariable String messageId) {
    customer.openEmail(messageId);
  }

  @GetMapping(value = "/simulator/api/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  public SseEmitter stream(@RequestParam String contactId) {
    customer.contact(contactId);
    return stream.subscribe(contactId);
  }
}
