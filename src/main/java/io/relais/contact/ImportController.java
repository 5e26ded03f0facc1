package io.relais.contact;

import io.relais.web.RelaisUser;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Bulk import of contacts (CSV body, streamed) and its progress: pass {@code ?importId=} to follow
 * a running import from another request with {@code GET /api/contacts/imports/{importId}}.
 */
@RestController
@RequestMapping("/api/contacts")
public class ImportController {

  private final ContactImport imports;

  public ImportController(ContactImport imports) {
    this.imports = imports;
  }

  @PostMapping(value = "/import", consumes = {"text/csv", "text/plain", "application/octet-stream"})
  public ContactImport.Report importCsv(@RequestParam(required = false) String importId, HttpServletRequest request)
      throws IOException {
    return imports.importCsv(request.getInputStream(), importId, RelaisUser.of(request).map(RelaisUser::id).orElse(null));
  }

  @GetMapping("/imports/{importId}")
  public ContactImport.Report progress(@PathVariable String importId) {
    return imports.progress(importId);
  }
}
