package db.migration;

import io.relais.analytics.KpiDailySummary;
import io.relais.platform.Databases;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/** Fills the monthly summary and the delay histograms (V620) from the daily summary and the events recorded before them. */
public class V621__kpi_monthly_backfill extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    JdbcTemplate jdbc = new JdbcTemplate(new SingleConnectionDataSource(context.getConnection(), true));
    new KpiDailySummary(jdbc).rebuildRollups();
    if (Databases.isPostgres(context.getConnection())) {
      // Statistics for the queries that come next, rather than whenever autovacuum gets to the new rows.
      jdbc.execute("analyze kpi_monthly, kpi_monthly_segment, kpi_delay");
    }
  }
}
