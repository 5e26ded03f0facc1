package io.relais.contact;

import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.VariableInstanceEntity;
import org.springframework.stereotype.Component;

/**
 * Whether a double opt-in journey of a contact is waiting for the answer on a channel: a running,
 * active {@code double-opt-in} instance with the contact as business key and the channel in its
 * {@code channel} variable.
 *
 * <p>Asked for every opt-in keyword ("Oui") from a contact without marketing consent, so it is a
 * native query of the engine (its SQL as written, with the engine's table names) rather than a
 * process instance query: the engine builds a process instance query's SQL from a large dynamic
 * mapping, and that took a fifth of the inbound routing's CPU (JFR, inbound benchmark), for a
 * statement that reads three rows.
 */
@Component
public class PendingDoubleOptIns {

  public static final String PROCESS_ID = "double-opt-in";

  private final RuntimeService runtime;
  private final String sql;

  public PendingDoubleOptIns(RuntimeService runtime, ManagementService management) {
    this.runtime = runtime;
    this.sql = "select count(*) from " + management.getTableName(ExecutionEntity.class) + " E join "
        + management.getTableName(ProcessDefinitionEntity.class) + " P on P.ID_ = E.PROC_DEF_ID_ join "
        + management.getTableName(VariableInstanceEntity.class) + " V on V.EXECUTION_ID_ = E.ID_ "
        + "where E.PARENT_ID_ is null and E.BUSINESS_KEY_ = #{contactId} and E.SUSPENSION_STATE_ = 1 and P.KEY_ = #{key} "
        + "and V.NAME_ = 'channel' and V.TYPE_ = 'string' and V.TEXT_ = #{channel}";
  }

  public boolean isPending(String contactId, Channel channel) {
    return runtime.createNativeProcessInstanceQuery().sql(sql)
        .parameter("contactId", contactId)
        .parameter("key", PROCESS_ID)
        .parameter("channel", channel.name())
        .count() > 0;
  }
}
