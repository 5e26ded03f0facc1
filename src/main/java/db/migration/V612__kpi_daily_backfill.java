package db.migration;

import io.relais.analytics.KpiDailySummary;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** Fills the daily summary (V610) from the engagement events recorded before it existed. */
public class V612__kpi_daily_backfill extends BaseJavaMigration {

  @Override
  public void migrate(Context context) {
    new KpiDailySummary(new JdbcTemplate(new SingleConnectionDataSource(context.getConnection(), true))).rebuildDaily();
  }
}
