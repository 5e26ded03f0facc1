package io.relais.contact;

import org.camunda.bpm.engine.RuntimeService;
import org.springframework.stereotype.Component;

/** Whether a double opt-in journey of a contact is waiting for the answer on a channel. */
@Component
public class PendingDoubleOptIns {

  public static final String PROCESS_ID = "double-opt-in";

  private final RuntimeService runtime;

  public PendingDoubleOptIns(RuntimeService runtime) {
    this.runtime = runtime;
  }

  public boolean isPending(String contactId, Channel channel) {
    return runtime.createProcessInstanceQuery()
        .processDefinitionKey(PROCESS_ID)
        .processInstanceBusinessKey(contactId)
        .variableValueEquals("channel", channel.name())
        .active()
        .count() > 0;
  }
}
