package io.relais.platform;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Keeps rows whose key is null out of the indexes that Relais only ever searches by a value, on
 * PostgreSQL. A B-tree index there holds an entry for every row, null keys included, and every
 * insert (and every update that is not HOT) writes one. Many of the engine's indexes are on columns
 * Relais leaves null on nearly every row: tenant ids (Relais has no tenants), case ids (no CMMN),
 * task ids of process variables, byte arrays of string variables, exception stacks of jobs that did
 * not fail, removal times of running journeys' history. A reply wrote 56 entries of that kind into
 * {@code ACT_RU_VARIABLE}'s indexes alone (docs/performance.md).
 *
 * <p>Each index listed in {@link #INDEXES} is rebuilt with {@code where <column> is not null},
 * under its own name. Every statement that reads it by a value ({@code = ?}, {@code in}, {@code
 * like}, a range, a foreign-key check) still can: a strict comparison implies that the column is not
 * null, and PostgreSQL's planner proves it. Only a search for {@code is null} can no longer use it,
 * and none of these indexes would serve one (the null rows are nearly all of them). A unique index
 * keeps its meaning: nulls never conflict. The rebuild is {@code create index concurrently}, then
 * {@code drop index concurrently} and a rename, so that a running installation keeps writing; a
 * node stopped half-way resumes at its next start. One node does it at a time, in the background
 * after start-up: a PostgreSQL advisory lock, not {@link ClusterLock}'s lease, because a rebuild on a
 * large database has no bound to give a lease, and the lock ends with the session of a node that
 * dies. {@code relais.database.null-keys-in-indexes: true} rebuilds them whole again. An engine
 * upgrade that recreates one of them simply has it rebuilt at the next start. H2 has no partial
 * indexes: nothing is done there.
 */
@Component
public class NullKeyIndexes {

  private static final Logger log = LoggerFactory.getLogger(NullKeyIndexes.class);
  /** The advisory lock that keeps two nodes from rebuilding at the same time ("relais-nk"). */
  static final long LOCK = 0x72656c6169736e6bL;
  private static final String TEMPORARY_PREFIX = "relais_nk_";

  /** An index and the column whose null rows stay out of it. */
  record NullKeyIndex(String index, String column) {}

  /**
   * The indexes rebuilt, with the column that is null on most rows Relais writes (read off a
   * benchmark database: docs/performance.md). Only columns searched by value: no {@code END_TIME_}
   * (Cockpit asks for {@code END_TIME_ is null}, running activities).
   */
  static final List<NullKeyIndex> INDEXES = List.of(
      new NullKeyIndex("act_idx_exec_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_exe_super", "super_exec_"),
      new NullKeyIndex("act_idx_exe_parent", "parent_id_"),
      new NullKeyIndex("act_idx_exec_buskey", "business_key_"),
      new NullKeyIndex("act_idx_job_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_job_exception", "exception_stack_id_"),
      new NullKeyIndex("act_idx_event_subscr_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_event_subscr_config_", "configuration_"),
      new NullKeyIndex("act_idx_variable_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_variable_task_id", "task_id_"),
      new NullKeyIndex("act_idx_variable_task_name_type", "task_id_"),
      new NullKeyIndex("act_idx_var_bytearray", "bytearray_id_"),
      new NullKeyIndex("act_idx_batch_id", "batch_id_"),
      new NullKeyIndex("act_idx_var_case_exe", "case_execution_id_"),
      new NullKeyIndex("act_idx_var_case_inst_id", "case_inst_id_"),
      new NullKeyIndex("act_idx_hi_act_inst_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_hi_act_inst_rm_time", "removal_time_"),
      new NullKeyIndex("act_idx_hi_var_inst_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_hi_casevar_case_inst", "case_inst_id_"),
      new NullKeyIndex("act_idx_hi_varinst_bytear", "bytearray_id_"),
      new NullKeyIndex("act_idx_hi_varinst_rm_time", "removal_time_"),
      new NullKeyIndex("act_idx_hi_pro_inst_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_hi_pro_inst_rm_time", "removal_time_"),
      new NullKeyIndex("act_idx_hi_pro_rst_pro_inst_id", "restarted_proc_inst_id_"),
      new NullKeyIndex("act_idx_hi_task_inst_tenant_id", "tenant_id_"),
      new NullKeyIndex("act_idx_hi_task_inst_rm_time", "removal_time_"),
      // Relais' own: the first engagement of a kind per message, an outbound message's idempotency
      // key, the journey of a message (an inbound one has none until it is routed)
      new NullKeyIndex("ux_engagement_first", "first_key"),
      new NullKeyIndex("ux_message_idempotency", "idempotency_key"),
      new NullKeyIndex("ix_message_instance", "process_instance_id"));

  private final DataSource dataSource;
  private final boolean keepNullKeys;
  private volatile CompletableFuture<Integer> done = CompletableFuture.completedFuture(0);

  public NullKeyIndexes(DataSource dataSource, @Value("${relais.database.null-keys-in-indexes:false}") boolean keepNullKeys) {
    this.dataSource = dataSource;
    this.keepNullKeys = keepNullKeys;
  }

  /**
   * After the engine created or updated its schema: in the background, the node serves meanwhile.
   * Last of the start-up listeners, after {@link JobAcquisitionIndex} built its indexes: a
   * concurrent build of a partial index waits for the transactions older than its snapshot, so two
   * at once could wait for each other, which PostgreSQL ends as a deadlock.
   */
  @EventListener(ApplicationStartedEvent.class)
  @Order(Ordered.LOWEST_PRECEDENCE)
  public void atStart() {
    done = CompletableFuture.supplyAsync(() -> {
      try {
        return ensure(!keepNullKeys);
      } catch (RuntimeException e) {
        log.warn("Could not rebuild the indexes that leave null keys out: {}", e.toString());
        return 0;
      }
    }, task -> {
      Thread t = new Thread(task, "relais-null-key-indexes");
      t.setDaemon(true);
      t.start();
    });
  }

  /** Completes with the number of indexes the start-up's pass rebuilt (tests and monitoring). */
  public CompletableFuture<Integer> done() {
    return done;
  }

  /**
   * Rebuilds each listed index that exists and is not yet as asked: without its null keys ({@code
   * partial}) or whole; returns how many it rebuilt. Nothing on H2, nothing while another node holds
   * the lock (it does the same work).
   */
  public int ensure(boolean partial) {
    try (Connection c = dataSource.getConnection()) {
      if (!Databases.isPostgres(c)) {
        return 0;
      }
      c.setAutoCommit(true); // create and drop index concurrently cannot run inside a transaction
      if (!advisory(c, "pg_try_advisory_lock")) {
        log.info("Another node is rebuilding the indexes that leave null keys out: left to it");
        return 0;
      }
      try {
        int rebuilt = 0;
        long started = System.nanoTime();
        for (NullKeyIndex index : INDEXES) {
          if (ensure(c, index, partial)) {
            rebuilt++;
          }
        }
        if (rebuilt > 0) {
          log.info("Rebuilt {} indexes {} null keys in {} ms", rebuilt, partial ? "without" : "with",
              (System.nanoTime() - started) / 1_000_000);
        }
        return rebuilt;
      } finally {
        advisory(c, "pg_advisory_unlock");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Rebuilding the indexes that leave null keys out failed: " + e.getMessage(), e);
    }
  }

  private static boolean ensure(Connection c, NullKeyIndex index, boolean partial) throws SQLException {
    String temporary = temporaryName(index.index());
    IndexState current = state(c, index.index());
    IndexState rebuilt = state(c, temporary);
    if (current == null) {
      if (rebuilt != null && rebuilt.valid()) {
        // stopped between the drop and the rename: finish
        execute(c, "alter index " + temporary + " rename to " + index.index());
        return true;
      }
      return false; // not in this schema (another engine version): nothing to rebuild
    }
    if (rebuilt != null) {
      execute(c, "drop index concurrently if exists " + temporary); // left by an interrupted build
    }
    if (current.valid() && current.partial() == partial) {
      return false;
    }
    String definition = definition(current.definition(), index, temporary, partial);
    execute(c, definition);
    execute(c, "drop index concurrently if exists " + index.index());
    execute(c, "alter index " + temporary + " rename to " + index.index());
    return true;
  }

  /**
   * The statement that builds {@code temporary} as {@code definition} ({@code pg_get_indexdef}: {@code
   * CREATE [UNIQUE] INDEX name ON table USING btree (columns) [WHERE ...]}), with or without the
   * null keys of the index's column.
   */
  static String definition(String definition, NullKeyIndex index, String temporary, boolean partial) {
    String upper = definition.toUpperCase(Locale.ROOT);
    int on = upper.indexOf(" ON ");
    int where = upper.indexOf(" WHERE ");
    if (!upper.startsWith("CREATE ") || on < 0) {
      throw new IllegalArgumentException("Unexpected index definition: " + definition);
    }
    String head = upper.startsWith("CREATE UNIQUE INDEX ") ? "create unique index concurrently " : "create index concurrently ";
    String target = definition.substring(on, where < 0 ? definition.length() : where);
    return head + temporary + target + (partial ? " where " + index.column() + " is not null" : "");
  }

  static String temporaryName(String index) {
    String name = TEMPORARY_PREFIX + index;
    return name.length() > 63 ? name.substring(0, 63) : name;
  }

  private record IndexState(String definition, boolean partial, boolean valid) {}

  private static IndexState state(Connection c, String index) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(
        "select pg_get_indexdef(i.indexrelid), i.indpred is not null, i.indisvalid from pg_index i "
            + "join pg_class x on x.oid = i.indexrelid where x.relname = ? and pg_table_is_visible(x.oid)")) {
      s.setString(1, index);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? new IndexState(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3)) : null;
      }
    }
  }

  private static boolean advisory(Connection c, String function) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("select " + function + "(?)")) {
      s.setLong(1, LOCK);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
