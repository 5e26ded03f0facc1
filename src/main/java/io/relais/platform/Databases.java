package io.relais.platform;

import java.sql.Connection;
import java.sql.SQLException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Which of its two databases Relais runs on: PostgreSQL in production, H2 as the embedded default
 * (and in most tests). The one place that asks, for the SQL that differs between them.
 */
public final class Databases {

  private Databases() {}

  /** Whether the connection is to PostgreSQL (else H2). */
  public static boolean isPostgres(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductName().startsWith("PostgreSQL");
  }

  /** Whether the template's database is PostgreSQL (else H2); one connection borrowed to ask. */
  public static boolean isPostgres(JdbcTemplate jdbc) {
    return Boolean.TRUE.equals(jdbc.execute((ConnectionCallback<Boolean>) Databases::isPostgres));
  }
}
