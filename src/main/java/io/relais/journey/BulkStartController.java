package io.relais.journey;

import io.relais.web.RelaisUser;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/journeys/starts}: a backend system starts up to {@code relais.bulk-starts.max-items}
 * journeys of one business event in one request, e.g. a campaign launch or a nightly batch of
 * abandoned carts. Body: {@code {"message":"CartAbandoned","requestKey":"...","items":[{"contactId":"c-1",
 * "variables":{"cartUrl":"..."}}]}}; answer: one result per item, in the request's order.
 * Authenticated like the rest of {@code /api}; the caller also needs the engine rights that
 * {@code POST /engine-rest/message} needs (integrations, marketers and admins have them).
 */
@RestController
@RequestMapping("/api/journeys")
public class BulkStartController {

  private final BulkStarts starts;

  public BulkStartController(BulkStarts starts) {
    this.starts = starts;
  }

  @PostMapping("/starts")
  public BulkStarts.Report start(@RequestBody BulkStarts.Request body, HttpServletRequest request) {
    RelaisUser caller = RelaisUser.of(request)
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.UNAUTHORIZED, "Authentication required"));
    return starts.start(body, caller);
  }
}
