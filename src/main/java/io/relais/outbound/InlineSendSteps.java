package io.relais.outbound;

import io.relais.journey.VariableWrites;
import io.relais.platform.EngineSessions;
import io.relais.platform.TimeOrderedIds;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.camunda.bpm.engine.ActivityTypes;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.impl.bpmn.behavior.AbstractBpmnActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.behavior.CallActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.behavior.ExternalTaskActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.helper.BpmnProperties;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParse;
import org.camunda.bpm.engine.impl.bpmn.parser.DefaultFailedJobParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.FailedJobRetryConfiguration;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.DefaultJobRetryCmd;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.el.StartProcessVariableScope;
import org.camunda.bpm.engine.impl.core.model.CallableElement;
import org.camunda.bpm.engine.impl.core.variable.mapping.value.ParameterValueProvider;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.interceptor.Session;
import org.camunda.bpm.engine.impl.jobexecutor.AsyncContinuationJobHandler;
import org.camunda.bpm.engine.impl.jobexecutor.DefaultFailedJobCommandFactory;
import org.camunda.bpm.engine.impl.jobexecutor.FailedJobCommandFactory;
import org.camunda.bpm.engine.impl.jobexecutor.JobHandler;
import org.camunda.bpm.engine.impl.jobexecutor.JobHandlerConfiguration;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.MessageEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TimerEntity;
import org.camunda.bpm.engine.impl.pvm.PvmTransition;
import org.camunda.bpm.engine.impl.pvm.delegate.ActivityExecution;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.ClockUtil;
import org.camunda.bpm.engine.impl.util.ParseUtil;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.camunda.bpm.engine.variable.Variables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.function.SingletonSupplier;

/**
 * Runs a journey's send step in the journey itself instead of a {@code relais-send} child
 * instance. Every call activity that calls {@code relais-send} (the "Send message" element
 * template) and is asynchronous before (the template's default) gets, at deployment, a behaviour
 * that evaluates the call activity's own {@code in} mappings in memory, runs {@link SendStep} and
 * applies the {@code out} mappings: no child process instance, no copied variables, no child
 * history. The models stay as marketers drew them; {@code relais.send.inline=false} restores the
 * child instance.
 *
 * <p><b>In the job that reaches it</b> ({@code relais.send.in-reaching-job}, on by default). The
 * diagram's "asynchronous before" gives the send a committed anchor: the job whose id makes the
 * idempotency key. When every way into the step runs inside a job of the same journey anyway (the
 * timer that fired, a reply's asynchronous continuation: {@link #reachedOnlyInJobs}), that job is
 * the anchor, and a second job would only cost a commit and an acquisition: the step loses its
 * asynchronous continuation at deployment and sends in the job that reaches it, with the key
 * {@code job:<id>:<step>} (stable across that job's retries). Its message is written in that job's
 * transaction, as at the start (below): it exists if and only if the job commits, and an external
 * provider gets it from {@link SendOutbox} after the commit, so a batch of timers
 * ({@code BatchingJobExecutor}) neither holds its transaction open across provider calls nor
 * commits a record of its own per message. A step that can be reached outside a job (after a user
 * task, a message caught) keeps its own job, as drawn.
 *
 * <p><b>At the journey's start</b> ({@code relais.send.at-start}, on by default). A step reached
 * from the process's start event has no job either: it sends in the transaction that starts the
 * journey, its message recorded in that transaction ({@link CompliantSendPipeline#queue}, key
 * {@code tx:<uuid>}) and handed to an external provider by {@link SendOutbox} after the commit. So
 * does a step reached outside a job anyway (a modification in Cockpit); with the setting off, such
 * a step waits for a job of its own, due now, and sends there.
 *
 * <p>A send that fails in a job that reached it, or at the start, does not fail what reached it:
 * the journey commits up to the step (it started, the timer has fired, the reply is taken) and the
 * send goes on in a job of the step's own carrying the same key, which the engine treats as that
 * job's first failure; the incident, if it comes to one, is on the step. So does a first attempt in
 * a job of the step's own (its asynchronous continuation, a deferral that fell due): every first
 * attempt writes its message with its transaction, and only an attempt that carries a failed one's
 * key records on its own first (it takes over the FAILED row) and calls the provider itself. With
 * {@code relais.send.in-reaching-job} off, every step keeps its own job.
 *
 * <p>A send deferred by the policy (quiet hours, throughput) waits on the step itself: a timer job
 * ({@value DeferralJobHandler#TYPE}, due at the next allowed time, visible in Cockpit on the
 * step) tries again then. The key of an attempt in a job of the step's own is that job's id; a new
 * attempt after a deferral has a new key. A failed send fails the step's job, which is retried
 * with {@code relais.send.retry-cycle} (unless the diagram sets its own cycle) and ends as an
 * incident on the step. A call activity that is not asynchronous keeps the child instance, whose
 * own asynchronous task gives the key a committed anchor.
 */
@Component
public class InlineSendSteps extends AbstractProcessEnginePlugin {

  private static final Logger log = LoggerFactory.getLogger(InlineSendSteps.class);

  public static final String CALLED_ELEMENT = "relais-send";
  static final String RETRY_SIGNAL = "relais-send-retry";
  static final String RETRY_CYCLE_EXPRESSION = "${journeyDefaults.sendRetryCycle}";

  private final boolean enabled;
  private final boolean inReachingJob;
  private final boolean atStart;
  /**
   * Resolved once: resolving it through the bean factory on every send (ObjectProvider.getObject,
   * needed here to break a cycle at start-up) was 1.8 % of a timer burst's CPU in the node.
   */
  private final SingletonSupplier<SendStep> sendStep;

  public InlineSendSteps(@Value("${relais.send.inline:true}") boolean enabled,
      @Value("${relais.send.in-reaching-job:true}") boolean inReachingJob,
      @Value("${relais.send.at-start:true}") boolean atStart, ObjectProvider<SendStep> sendStep) {
    this.enabled = enabled;
    this.inReachingJob = inReachingJob;
    this.atStart = atStart;
    this.sendStep = SingletonSupplier.of(sendStep::getObject);
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    // the handler always: deferrals made while inline was on must still fire (or fail clearly)
    if (configuration.getCustomJobHandlers() == null) {
      configuration.setCustomJobHandlers(new ArrayList<>());
    }
    configuration.getCustomJobHandlers().add(new DeferralJobHandler());
    EngineSessions.register(configuration, JoinedSends.class, JoinedSends::new);
    FailedJobCommandFactory retries = configuration.getFailedJobCommandFactory();
    if (retries == null || retries.getClass() == DefaultFailedJobCommandFactory.class) {
      // the step's jobs are retried with the step's cycle, as its asynchronous continuation was
      configuration.setFailedJobCommandFactory(StepRetryCmd::new);
    } else {
      log.warn("A failed-job command factory of its own ({}) is configured: the send steps' own jobs are retried by it, "
          + "not with the send retry cycle", retries.getClass().getName());
    }
    if (!enabled) {
      return;
    }
    if (configuration.getCustomPostBPMNParseListeners() == null) {
      configuration.setCustomPostBPMNParseListeners(new ArrayList<>());
    }
    configuration.getCustomPostBPMNParseListeners().add(new Listener());
  }

  private final class Listener extends AbstractBpmnParseListener {
    @Override
    public void parseCallActivity(Element element, ScopeImpl scope, ActivityImpl activity) {
      if (!(activity.getActivityBehavior() instanceof CallActivityBehavior call) || !activity.isAsyncBefore()) {
        return;
      }
      CallableElement callable = call.getCallableElement();
      ParameterValueProvider key = callable.getDefinitionKeyValueProvider();
      if (key == null || key.isDynamic()
          || !CALLED_ELEMENT.equals(key.getValue(StartProcessVariableScope.getSharedInstance()))) {
        return;
      }
      activity.setActivityBehavior(new Behavior(callable, declaredRetryCycle(element)));
    }

    /**
     * After every activity of the process went through every listener, the engine's
     * DefaultFailedJobParseListener (registered after this one) included, which gives only
     * asynchronous activities the diagram's cycle: every send step gets its diagram's cycle, or
     * the send retry cycle.
     */
    @Override
    public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
      List<ActivityImpl> steps = new ArrayList<>();
      applyRetryCycle(processDefinition, steps);
      if (inReachingJob) {
        for (ActivityImpl step : steps) {
          if (reachedOnlyInJobs(step, atStart)) {
            // no job of its own: it sends in the job that reaches it, or in the transaction that
            // starts the journey (removes the job declaration too)
            step.setAsyncBefore(false);
          }
        }
      }
    }

    private void applyRetryCycle(ScopeImpl scope, List<ActivityImpl> steps) {
      for (ActivityImpl activity : scope.getActivities()) {
        if (activity.getActivityBehavior() instanceof Behavior behavior) {
          activity.getProperties().set(DefaultFailedJobParseListener.FAILED_JOB_CONFIGURATION,
              behavior.declaredRetryCycle != null
                  ? ParseUtil.parseRetryIntervals(behavior.declaredRetryCycle)
                  : new FailedJobRetryConfiguration(
                      Context.getProcessEngineConfiguration().getExpressionManager().createExpression(RETRY_CYCLE_EXPRESSION)));
          steps.add(activity);
        }
        applyRetryCycle(activity, steps);
      }
    }

    private static String declaredRetryCycle(Element element) {
      Element extensions = element.element("extensionElements");
      Element cycle = extensions == null ? null
          : extensions.elementNS(BpmnParse.CAMUNDA_BPMN_EXTENSIONS_NS, "failedJobRetryTimeCycle");
      return cycle == null || cycle.getText() == null || cycle.getText().isBlank() ? null : cycle.getText().trim();
    }
  }

  /** The send step's behaviour: send now, or wait on a job of the step's own and send then. */
  final class Behavior extends AbstractBpmnActivityBehavior {
    private final CallableElement callable;
    private final String declaredRetryCycle;

    Behavior(CallableElement callable, String declaredRetryCycle) {
      this.callable = callable;
      this.declaredRetryCycle = declaredRetryCycle;
    }

    @Override
    public void execute(ActivityExecution execution) throws Exception {
      attempt((ExecutionEntity) execution, null);
    }

    @Override
    public void signal(ActivityExecution execution, String signalName, Object signalData) throws Exception {
      if (RETRY_SIGNAL.equals(signalName)) {
        attempt((ExecutionEntity) execution, (String) signalData);
      } else {
        super.signal(execution, signalName, signalData);
      }
    }

    /**
     * @param carriedKey the key of an attempt that failed in the job that reached the step, handed
     *     to the step's own job; null otherwise
     */
    private void attempt(ExecutionEntity execution, String carriedKey) {
      CommandContext context = Context.getCommandContext();
      JobEntity job = context.getCurrentJob();
      boolean inJob = job != null && Objects.equals(job.getProcessInstanceId(), execution.getProcessInstanceId());
      if (!inJob && !atStart) {
        // nothing of this journey committed to anchor the key on: a job of the step's own, as
        // "asynchronous before" would have made
        stepJob(context, execution, null, null);
        return;
      }
      boolean own = inJob && isStepsOwn(job, execution.getActivityId());
      // outside a job (a journey's start) the message is written in this very transaction: it
      // lives or dies with it, so a fresh key per attempt is all the key has to be
      String key = !inJob ? "tx:" + TimeOrderedIds.next() : carriedKey != null ? carriedKey
          : own ? "job:" + job.getId() : joinedKey(context, job, execution.getActivityId());
      // a first attempt (no earlier one wrote under its key) writes its message with this
      // transaction; an attempt that carries a failed one's key takes that row over, committed
      // on its own before the provider call (CompliantSendPipeline.send)
      boolean carried = carriedKey != null;
      SendStep.Outcome outcome;
      try {
        Map<String, Object> inputs = callable.getInputVariables(execution);
        String businessKey = callable.getBusinessKey(execution);
        outcome = sendStep.obtain().run(inputs,
            businessKey != null ? businessKey : execution.getProcessBusinessKey(),
            SendMessageDelegate.callingStep(execution), key, !carried);
      } catch (RuntimeException e) {
        if (carried) {
          throw e;
        }
        // keep what this transaction did (the journey started, the timer fired, the reply taken,
        // the FAILED record); the send goes on in a job of the step's own, with this attempt's key
        // and this failure as that job's first
        stepJob(context, execution, key, e);
        return;
      }
      VariableScope results = readOnlyScope(outcome.outputs());
      // a journey's earlier step usually left the same outcome: an equal write would still cost
      // the engine an update and a read of its history
      execution.setVariables(VariableWrites.changed(execution, callable.getOutputVariables(results)));
      execution.setVariablesLocal(callable.getOutputVariablesLocal(results));
      if (outcome.outcome() == SendOutcome.DEFERRED) {
        deferUntil(execution, (Date) outcome.outputs().get(SendMessageDelegate.VAR_NOT_BEFORE));
      } else {
        leave(execution);
      }
    }

    private void deferUntil(ExecutionEntity execution, Date notBefore) {
      TimerEntity timer = new TimerEntity();
      timer.setJobHandlerType(DeferralJobHandler.TYPE);
      timer.setJobHandlerConfigurationRaw(execution.getActivityId());
      timer.setDuedate(notBefore != null ? notBefore : new Date());
      onTheStep(timer, execution);
      Context.getCommandContext().getJobManager().schedule(timer);
    }
  }

  /** Elements that continue in the thread that entered them: the job that reached them, if one did. */
  private static final Set<String> PASS_THROUGH = Set.of(ActivityTypes.GATEWAY_EXCLUSIVE, ActivityTypes.GATEWAY_INCLUSIVE,
      ActivityTypes.GATEWAY_PARALLEL, ActivityTypes.TASK, ActivityTypes.TASK_SCRIPT, ActivityTypes.TASK_SERVICE,
      ActivityTypes.TASK_BUSINESS_RULE, ActivityTypes.TASK_MANUAL_TASK, ActivityTypes.TASK_SEND_TASK,
      ActivityTypes.INTERMEDIATE_EVENT_NONE_THROW, ActivityTypes.INTERMEDIATE_EVENT_SIGNAL_THROW,
      ActivityTypes.INTERMEDIATE_EVENT_MESSAGE_THROW, ActivityTypes.INTERMEDIATE_EVENT_ESCALATION_THROW);

  /**
   * Whether every way into the step runs inside a job of its journey: each incoming flow comes,
   * through elements that pass the execution on in the same thread, from a timer, an element
   * asynchronous after, an element asynchronous before, or another send step (which goes on in a
   * job, its own or the one that reached it). A step that can be reached otherwise (after a start
   * event, a user task, a message or a call) keeps its asynchronous continuation. This only
   * decides whether the step keeps a job of its own in the diagram: a step reached outside a job
   * anyway (a modification in Cockpit, a delegate that waits) still waits for a job of its own at
   * run time.
   */
  static boolean reachedOnlyInJobs(ActivityImpl step) {
    return reachedOnlyInJobs(step, false);
  }

  /**
   * @param orAtStart whether a process's own start event (none or message, not asynchronous after)
   *     counts as a way in too: the step then sends in the transaction that starts the journey
   */
  static boolean reachedOnlyInJobs(ActivityImpl step, boolean orAtStart) {
    return enteredInJobs(step, new HashSet<>(), orAtStart);
  }

  private static boolean enteredInJobs(ActivityImpl activity, Set<ActivityImpl> seen, boolean orAtStart) {
    if (activity.getIncomingTransitions().isEmpty()) {
      return false; // entered as a scope's first element, or by an event: whoever started it
    }
    for (PvmTransition in : activity.getIncomingTransitions()) {
      if (!leftInJob((ActivityImpl) in.getSource(), seen, orAtStart)) {
        return false;
      }
    }
    return true;
  }

  private static boolean leftInJob(ActivityImpl source, Set<ActivityImpl> seen, boolean orAtStart) {
    if (!seen.add(source)) {
      return true; // a loop back: the other ways in decide
    }
    Object type = source.getProperty(BpmnProperties.TYPE.getName());
    if (source.isAsyncAfter() || source.getActivityBehavior() instanceof Behavior
        || ActivityTypes.INTERMEDIATE_EVENT_TIMER.equals(type) || ActivityTypes.BOUNDARY_TIMER.equals(type)
        || ActivityTypes.START_EVENT_TIMER.equals(type)) {
      return true;
    }
    if (orAtStart && (ActivityTypes.START_EVENT.equals(type) || ActivityTypes.START_EVENT_MESSAGE.equals(type))
        && source.getFlowScope() == source.getProcessDefinition()) {
      return true; // the journey's start: its transaction records the message (CompliantSendPipeline.queue)
    }
    if (!PASS_THROUGH.contains(type) || source.getActivityBehavior() instanceof ExternalTaskActivityBehavior) {
      return false; // a start, a wait state, a call: continued by whoever ends it
    }
    return source.isAsyncBefore() || enteredInJobs(source, seen, orAtStart);
  }

  /** The step's asynchronous continuation (before this setting, or with it off) or one of its deferral jobs. */
  private static boolean isStepsOwn(JobEntity job, String activityId) {
    return activityId.equals(job.getActivityId())
        && (DeferralJobHandler.TYPE.equals(job.getJobHandlerType())
            || AsyncContinuationJobHandler.TYPE.equals(job.getJobHandlerType()));
  }

  /**
   * {@code job:<id>:<step>}, then {@code :2}, {@code :3}... if the same job runs the step again (a
   * loop). Counted per job: a command may run several jobs (a batch of the job executor), and a job
   * run again on its own after its batch rolled back must find the same keys.
   */
  private static String joinedKey(CommandContext context, JobEntity job, String activityId) {
    int n = context.getSession(JoinedSends.class).sends.merge(job.getId() + " " + activityId, 1, Integer::sum);
    return "job:" + job.getId() + ":" + activityId + (n == 1 ? "" : ":" + n);
  }

  /** The steps sent so far by the running command's jobs, per job and step: a session of that command, gone with it. */
  static final class JoinedSends implements Session {
    private final Map<String, Integer> sends = new HashMap<>();

    @Override
    public void flush() {
      // nothing to write
    }

    @Override
    public void close() {
      // nothing held
    }
  }

  /**
   * A job of the step's own, due now; with {@code failure}, recorded as that job's first failed
   * attempt (retries, due date and exception as the engine's retry command sets them).
   */
  private static void stepJob(CommandContext context, ExecutionEntity execution, String key, RuntimeException failure) {
    MessageEntity message = new MessageEntity();
    message.setJobHandlerType(DeferralJobHandler.TYPE);
    message.setJobHandlerConfigurationRaw(new DeferralJobHandler.Configuration(execution.getActivityId(), key).toCanonicalString());
    onTheStep(message, execution);
    // due now, not null: acquisition by due date (the PostgreSQL profile) never acquires a job without one
    message.setDuedate(ClockUtil.getCurrentTime());
    context.getJobManager().send(message);
    if (failure != null) {
      new StepRetryCmd(message, failure).execute(context);
    }
  }

  /** A job of the step's own on the step, in its journey (Cockpit shows it there; the retry command finds the step's cycle). */
  private static void onTheStep(JobEntity job, ExecutionEntity execution) {
    job.setExecution(execution);
    job.setActivityId(execution.getActivityId());
    job.setProcessDefinitionId(execution.getProcessDefinitionId());
    job.setProcessDefinitionKey(execution.getProcessDefinition().getKey());
    job.setDeploymentId(execution.getProcessDefinition().getDeploymentId());
    job.setTenantId(execution.getTenantId());
  }

  /**
   * The engine's retry command, which also knows the step's own jobs: it applies retry cycles only
   * to the job types it knows (timers, asynchronous continuations), and would retry a deferral job
   * three times at once.
   */
  static final class StepRetryCmd extends DefaultJobRetryCmd {
    /** A job inserted in this very command (the entity cache finds it by its class, not as a JobEntity). */
    private final JobEntity inserted;

    StepRetryCmd(String jobId, Throwable exception) {
      super(jobId, exception);
      this.inserted = null;
    }

    StepRetryCmd(JobEntity inserted, Throwable exception) {
      super(inserted.getId(), exception);
      this.inserted = inserted;
    }

    @Override
    protected JobEntity getJob() {
      return inserted != null ? inserted : super.getJob();
    }

    @Override
    public ActivityImpl getCurrentActivity(CommandContext commandContext, JobEntity job) {
      if (DeferralJobHandler.TYPE.equals(job.getJobHandlerType()) && job.getExecutionId() != null) {
        // deferral jobs made before 30 Nov 2026 carry no definition id: their execution has it
        String definitionId = job.getProcessDefinitionId() != null ? job.getProcessDefinitionId()
            : fetchExecutionEntity(job.getExecutionId()).getProcessDefinitionId();
        ProcessDefinitionEntity definition = Context.getProcessEngineConfiguration().getDeploymentCache()
            .findDeployedProcessDefinitionById(definitionId);
        return definition.findActivity(job.getActivityId());
      }
      return super.getCurrentActivity(commandContext, job);
    }
  }

  /** A VariableScope over the step's outputs, for the call activity's out mappings. */
  static VariableScope readOnlyScope(Map<String, Object> values) {
    return (VariableScope) Proxy.newProxyInstance(VariableScope.class.getClassLoader(), new Class<?>[] {VariableScope.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getVariable", "getVariableLocal" -> values.get((String) args[0]);
          case "getVariableTyped", "getVariableLocalTyped" -> Variables.untypedValue(values.get((String) args[0]));
          case "getVariables", "getVariablesLocal", "getVariablesTyped", "getVariablesLocalTyped" ->
              Variables.fromMap(values);
          case "hasVariable", "hasVariableLocal" -> values.containsKey((String) args[0]);
          case "hasVariables", "hasVariablesLocal" -> !values.isEmpty();
          case "getVariableNames", "getVariableNamesLocal" -> Set.copyOf(values.keySet());
          case "getVariableScopeKey" -> "relais-send-outputs";
          case "toString" -> "relais-send outputs " + values.keySet();
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException("relais-send outputs are read-only: " + method.getName());
        });
  }

  /** Runs a send step in a job of its own: after a deferral, when reached outside a job, after a failure in the job that reached it. */
  static final class DeferralJobHandler implements JobHandler<DeferralJobHandler.Configuration> {
    static final String TYPE = "relais-send-deferred";

    /** The step, and the key of the attempt it continues (null: a new attempt, keyed on this job). */
    record Configuration(String activityId, String key) implements JobHandlerConfiguration {
      @Override
      public String toCanonicalString() {
        // activity ids are XML names: no space in them
        return key == null ? activityId : activityId + " " + key;
      }
    }

    @Override
    public String getType() {
      return TYPE;
    }

    @Override
    public void execute(Configuration configuration, ExecutionEntity execution, CommandContext commandContext,
        String tenantId) {
      // the journey may have left the step meanwhile (migrated, modified): nothing to send then
      if (execution == null || !configuration.activityId().equals(execution.getActivityId())) {
        return;
      }
      if (!(execution.getActivity().getActivityBehavior() instanceof Behavior)) {
        throw new ProcessEngineException("A send deferred while relais.send.inline was on cannot be tried again with it off: "
            + "switch it back on, or move the journey past step " + configuration.activityId() + " in Cockpit");
      }
      execution.signal(RETRY_SIGNAL, configuration.key());
    }

    @Override
    public Configuration newConfiguration(String canonicalString) {
      int space = canonicalString.indexOf(' ');
      return space < 0 ? new Configuration(canonicalString, null)
          : new Configuration(canonicalString.substring(0, space), canonicalString.substring(space + 1));
    }

    @Override
    public void onDelete(Configuration configuration, JobEntity jobEntity) {
      // nothing held outside the job
    }
  }
}
