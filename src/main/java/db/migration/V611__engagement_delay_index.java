package db.migration;

import io.relais.platform.Databases;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The response-time percentiles are the one KPI the daily summary cannot hold exactly, so they are
 * computed from the raw events that carry a delay: on PostgreSQL a partial covering index holds
 * just those (a few % of the events); H2 has no partial index, a plain one does.
 */
public class V611__engagement_delay_index extends BaseJavaMigration {

  private static final String DELAYS = "where delay_ms is not null and event_type in ('REPLIED', 'AGENT_RESPONDED')";

  @Override
  public void migrate(Context context) throws Exception {
    boolean postgres = Databases.isPostgres(context.getConnection());
    try (Statement s = context.getConnection().createStatement()) {
      if (postgres) {
        // Whole-base periods, and a journey (or step): index-only scans, id included for the segment join.
        s.execute("create index ix_engagement_delay on engagement_event (occurred_at) "
            + "include (event_type, delay_ms, journey_key, step_id, channel, variant, id) " + DELAYS);
        s.execute("create index ix_engagement_delay_journey on engagement_event (journey_key, step_id, occurred_at) "
            + "include (event_type, delay_ms, channel, variant, id) " + DELAYS);
      } else {
        s.execute("create index ix_engagement_delay on engagement_event (event_type, occurred_at, delay_ms)");
      }
    }
  }
}
