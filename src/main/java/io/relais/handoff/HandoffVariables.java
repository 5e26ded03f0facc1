package io.relais.handoff;

/** Ids and variable names of {@code relais-handoff}, defined once for the BPMN, the Java and the tests. */
public final class HandoffVariables {

  public static final String PROCESS_ID = "relais-handoff";
  public static final String FORM_ID = "relais-handoff-form";
  public static final String TASK_FIRST = "Task_AgentTakesOver";
  public static final String TASK_FOLLOW_UP = "Task_AgentFollowUp";
  public static final String STEP_AGENT_REPLY = "Task_SendAgentReply";

  // Inputs (set by the calling journey).
  public static final String REASON = "handoffReason";
  public static final String QUEUE = "handoffQueue";
  public static final String CHANNEL = "handoffChannel";
  /** Optional text of journey context (cart, order) shown to the agent, besides the caller's cart/order variables. */
  public static final String CONTEXT = "handoffContext";

  // Output.
  public static final String RESOLUTION = "handoffResolution";

  // Set by the process itself.
  public static final String OUT_OF_HOURS = "handoffOutOfHours";
  public static final String OPENS_AT = "handoffOpensAt";
  public static final String SLA_AT = "handoffSlaAt";
  public static final String ESCALATE_AT = "handoffEscalateAt";
  public static final String REPLY_TIMEOUT = "handoffReplyTimeout";
  public static final String AGENT = "handoffAgent";
  public static final String LAST_TASK = "handoffTaskId";

  // Submitted by the form.
  public static final String AGENT_ACTION = "agentAction";
  public static final String AGENT_MESSAGE = "agentMessage";

  /** Task-local Json variable the form renders (customer, transcript, context); removed on completion. */
  public static final String VIEW = "handoffView";

  private HandoffVariables() {}
}
