package io.relais.contact;

import io.relais.web.InvalidInputException;
import io.relais.web.NotFoundException;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** REST API of contacts: create or update under the brand's id, create with a generated id, read. */
@RestController
@RequestMapping("/api/contacts")
public class ContactController {

  private final ContactRegistry registry;

  public ContactController(ContactRegistry registry) {
    this.registry = registry;
  }

  /** Creates or updates the contact (idempotent): 201 when created, 200 otherwise. */
  @PutMapping("/{id}")
  public ResponseEntity<Contact> put(@PathVariable String id, @RequestBody ContactInput body) {
    if (body == null) {
      throw new InvalidInputException(null, "A JSON body with the contact is required");
    }
    if (body.id() != null && !body.id().equals(id)) {
      throw new InvalidInputException("id", "The id in the body ('" + ContactFields.abbreviate(body.id())
          + "') differs from the id in the path");
    }
    ContactRegistry.Saved saved = registry.save(body.withId(id));
    return ResponseEntity.status(saved.outcome() == ContactRegistry.Outcome.CREATED ? HttpStatus.CREATED : HttpStatus.OK)
        .body(saved.contact());
  }

  /** Creates a contact with a generated id. */
  @PostMapping
  public ResponseEntity<Contact> post(@RequestBody ContactInput body) {
    if (body == null) {
      throw new InvalidInputException(null, "A JSON body with the contact is required");
    }
    if (body.id() != null) {
      throw new InvalidInputException("id", "POST generates the id: use PUT /api/contacts/{id} to give your own");
    }
    Contact created = registry.save(body).contact();
    return ResponseEntity.created(URI.create("/api/contacts/" + created.id())).body(created);
  }

  @GetMapping("/{id}")
  public Contact get(@PathVariable String id) {
    return registry.find(id).orElseThrow(() -> new NotFoundException("No contact '" + id + "'"));
  }
}
