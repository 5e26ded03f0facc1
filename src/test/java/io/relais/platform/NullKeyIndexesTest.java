package io.relais.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.relais.RelaisApplication;
import io.relais.platform.NullKeyIndexes.NullKeyIndex;
import io.relais.support.EngineRegistry;
import io.relais.support.PostgresDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * On PostgreSQL the indexes Relais only searches by value leave out the rows whose key is null
 * (docs/adr/0005-null-keys-out-of-indexes.md): a journey's variables, jobs, executions and history
 * write no entry into them, the engine's and Relais' look-ups by value still use them, and the
 * rebuild can be undone, resumes after an interruption and runs on one node at a time.
 */
class NullKeyIndexesTest {

  /** A B-tree index without entries: its meta page only. */
  private static final long EMPTY_INDEX = 8192;
  private static final int JOURNEYS = 400;

  @Test
  void definitionsKeepTheirColumnsAndUniquenessAndGainOrLoseTheirPredicate() {
    NullKeyIndex first = new NullKeyIndex("ux_engagement_first", "first_key");
    assertThat(NullKeyIndexes.definition("CREATE UNIQUE INDEX ux_engagement_first ON public.engagement_event USING btree (first_key)",
        first, "relais_nk_x", true))
        .isEqualTo("create unique index concurrently relais_nk_x ON public.engagement_event USING btree (first_key) where first_key is not null");
    NullKeyIndex task = new NullKeyIndex("act_idx_variable_task_name_type", "task_id_");
    assertThat(NullKeyIndexes.definition(
        "CREATE INDEX act_idx_variable_task_name_type ON public.act_ru_variable USING btree (task_id_, name_, type_) WHERE (task_id_ IS NOT NULL)",
        task, "relais_nk_y", false))
        .isEqualTo("create index concurrently relais_nk_y ON public.act_ru_variable USING btree (task_id_, name_, type_)");
    assertThat(NullKeyIndexes.temporaryName("a".repeat(80))).hasSize(63).startsWith("relais_nk_");
  }

  @Test
  void journeysWriteNoNullKeyIntoTheListedIndexesOnPostgres() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.create()) {
      Map<String, Object> props = new HashMap<>(db.productionProfileProperties());
      props.put("relais.processes-dir", "processes");
      props.put("relais.forms-dir", "forms");
      props.put("camunda.bpm.job-execution.enabled", "false");
      String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
      try (EngineRegistry kept = EngineRegistry.kept();
          ConfigurableApplicationContext ctx = new SpringApplicationBuilder(RelaisApplication.class).profiles("postgres").run(args)) {
        NullKeyIndexes indexes = ctx.getBean(NullKeyIndexes.class);
        JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
        DataSource dataSource = ctx.getBean(DataSource.class);

        assertThat(indexes.done().get(120, TimeUnit.SECONDS)).as("indexes rebuilt by the first start").isEqualTo(NullKeyIndexes.INDEXES.size());
        for (NullKeyIndex index : NullKeyIndexes.INDEXES) {
          assertThat(definition(jdbc, index.index())).as(index.index()).endsWith("WHERE (" + index.column() + " IS NOT NULL)");
        }

        RuntimeService runtime = ctx.getBean(RuntimeService.class);
        ctx.getBean(RepositoryService.class).createDeployment().addModelInstance("null-keys.bpmn",
            Bpmn.createExecutableProcess("null-keys").camundaHistoryTimeToLive(1).startEvent()
                .parallelGateway("Fork").receiveTask("Wait_Reply").endEvent()
                .moveToNode("Fork").receiveTask("Wait_Click").endEvent().done()).deploy();
        for (int i = 0; i < JOURNEYS; i++) {
          runtime.startProcessInstanceByKey("null-keys", "nk-" + i,
              Variables.putValue("replyText", "Oui, merci").putValue("intent", "YES").putValue("replyChannel", "SMS"));
        }

        // the rows are there, their null keys are not
        assertThat(jdbc.queryForObject("select count(*) from act_ru_variable where tenant_id_ is null and task_id_ is null", Long.class))
            .isEqualTo(3L * JOURNEYS);
        for (String index : new String[] {"act_idx_variable_tenant_id", "act_idx_variable_task_id", "act_idx_var_case_inst_id",
            "act_idx_var_bytearray", "act_idx_hi_var_inst_tenant_id", "act_idx_hi_varinst_rm_time", "act_idx_hi_act_inst_tenant_id",
            "act_idx_exec_tenant_id", "act_idx_exe_super"}) {
          assertThat(size(jdbc, index)).as(index + ": no entry").isEqualTo(EMPTY_INDEX);
        }
        // the parallel branches are child executions: their rows have a parent, and no business key
        assertThat(size(jdbc, "act_idx_exe_parent")).as("parents of the branches").isGreaterThan(EMPTY_INDEX);
        assertThat(size(jdbc, "act_idx_var_procinst")).as("an index whose key is never null, the same rows").isGreaterThan(EMPTY_INDEX);

        // look-ups by value still use them, the engine's own included
        assertThat(plan(dataSource, "select id_ from act_ru_execution where business_key_ = 'nk-7'")).contains("act_idx_exec_buskey");
        assertThat(plan(dataSource, "select id_ from act_ru_execution where business_key_ like 'nk-7%'")).contains("act_idx_exec_buskey");
        assertThat(plan(dataSource, "select id_ from act_ru_execution where parent_id_ = 'x'")).contains("act_idx_exe_parent");
        assertThat(plan(dataSource, "select id_ from act_ru_variable where task_id_ = 'x'")).contains("act_idx_variable_task");
        assertThat(plan(dataSource, "select id_ from act_hi_varinst where removal_time_ <= now()")).contains("act_idx_hi_varinst_rm_time");
        assertThat(plan(dataSource, "select id from message where idempotency_key = 'tx:1'")).contains("ux_message_idempotency");
        assertThat(runtime.createProcessInstanceQuery().processInstanceBusinessKey("nk-7").count()).isEqualTo(1);
        assertThat(runtime.createExecutionQuery().processInstanceBusinessKey("nk-7").activityId("Wait_Click").count()).isEqualTo(1);
        assertThat(runtime.createExecutionQuery().processInstanceBusinessKey("nk-7").list()).hasSize(3);

        // whole again (relais.database.null-keys-in-indexes: true), then back; a second pass has nothing to do
        assertThat(indexes.ensure(false)).isEqualTo(NullKeyIndexes.INDEXES.size());
        for (NullKeyIndex index : NullKeyIndexes.INDEXES) {
          assertThat(definition(jdbc, index.index())).as(index.index()).doesNotContain("WHERE");
        }
        assertThat(size(jdbc, "act_idx_variable_tenant_id")).as("whole: an entry per variable").isGreaterThan(EMPTY_INDEX);
        assertThat(indexes.ensure(true)).isEqualTo(NullKeyIndexes.INDEXES.size());
        assertThat(size(jdbc, "act_idx_variable_tenant_id")).isEqualTo(EMPTY_INDEX);
        assertThat(indexes.ensure(true)).isZero();

        // a node stopped between the drop and the rename: the next pass finishes
        jdbc.execute("alter index act_idx_exec_tenant_id rename to " + NullKeyIndexes.temporaryName("act_idx_exec_tenant_id"));
        assertThat(indexes.ensure(true)).isEqualTo(1);
        assertThat(definition(jdbc, "act_idx_exec_tenant_id")).endsWith("WHERE (tenant_id_ IS NOT NULL)");
        // a node stopped during a build: its leftover is dropped
        jdbc.execute("create index " + NullKeyIndexes.temporaryName("act_idx_job_tenant_id") + " on act_ru_job (tenant_id_)");
        assertThat(indexes.ensure(true)).isZero();
        assertThat(jdbc.queryForObject("select count(*) from pg_class where relname like 'relais_nk_%'", Long.class)).isZero();

        // another node rebuilding: this one leaves it to it
        try (Connection other = dataSource.getConnection(); Statement s = other.createStatement()) {
          s.execute("select pg_advisory_lock(" + NullKeyIndexes.LOCK + ")");
          assertThat(indexes.ensure(false)).isZero();
          assertThat(definition(jdbc, "act_idx_exec_tenant_id")).endsWith("WHERE (tenant_id_ IS NOT NULL)");
          s.execute("select pg_advisory_unlock(" + NullKeyIndexes.LOCK + ")");
        }
      }
    }
  }

  private static String definition(JdbcTemplate jdbc, String index) {
    return jdbc.queryForObject("select pg_get_indexdef(c.oid) from pg_class c where c.relname = ? and c.relkind = 'i'", String.class, index);
  }

  private static long size(JdbcTemplate jdbc, String index) {
    return jdbc.queryForObject("select pg_relation_size(c.oid) from pg_class c where c.relname = ? and c.relkind = 'i'", Long.class, index);
  }

  /** The plan PostgreSQL makes for the query when it may not read the whole table. */
  private static String plan(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("set local enable_seqscan = off");
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement p = c.prepareStatement("explain " + sql); ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            plan.append(rs.getString(1)).append('\n');
          }
        }
        return plan.toString().toLowerCase(java.util.Locale.ROOT);
      } finally {
        c.rollback();
      }
    }
  }
}
