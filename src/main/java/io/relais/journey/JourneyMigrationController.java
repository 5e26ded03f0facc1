package io.relais.journey;

import io.relais.web.RelaisGroups;
import io.relais.web.RelaisUser;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /api/journeys/{key}/migrate}: after a marketer deployed a new version of a journey,
 * moves its running customers to that version. Marketers and admins only.
 */
@RestController
@RequestMapping("/api/journeys")
public class JourneyMigrationController {

  private static final List<String> ALLOWED = List.of(RelaisGroups.ADMINS, RelaisGroups.MARKETERS);
  private final JourneyMigration migration;

  public JourneyMigrationController(JourneyMigration migration) {
    this.migration = migration;
  }

  @PostMapping("/{key}/migrate")
  public JourneyMigration.Report migrate(@PathVariable String key, HttpServletRequest request) {
    boolean allowed = RelaisUser.of(request).map(u -> u.inAny(ALLOWED)).orElse(false);
    if (!allowed) {
      throw new ResponseStatusException(HttpStatus.FORBIDDEN, "Only marketers and admins migrate journeys");
    }
    return migration.migrateToLatest(key);
  }
}
