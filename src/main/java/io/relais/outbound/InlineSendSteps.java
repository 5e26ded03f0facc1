package io.relais.outbound;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Date;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.engine.impl.bpmn.behavior.AbstractBpmnActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.behavior.CallActivityBehavior;
import org.camunda.bpm.engine.impl.bpmn.parser.AbstractBpmnParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.BpmnParse;
import org.camunda.bpm.engine.impl.bpmn.parser.DefaultFailedJobParseListener;
import org.camunda.bpm.engine.impl.bpmn.parser.FailedJobRetryConfiguration;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.el.StartProcessVariableScope;
import org.camunda.bpm.engine.impl.core.model.CallableElement;
import org.camunda.bpm.engine.impl.core.variable.mapping.value.ParameterValueProvider;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;
import org.camunda.bpm.engine.impl.jobexecutor.JobHandler;
import org.camunda.bpm.engine.impl.jobexecutor.JobHandlerConfiguration;
import org.camunda.bpm.engine.impl.persistence.entity.ProcessDefinitionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.ExecutionEntity;
import org.camunda.bpm.engine.impl.persistence.entity.JobEntity;
import org.camunda.bpm.engine.impl.persistence.entity.TimerEntity;
import org.camunda.bpm.engine.impl.pvm.delegate.ActivityExecution;
import org.camunda.bpm.engine.impl.pvm.process.ActivityImpl;
import org.camunda.bpm.engine.impl.pvm.process.ScopeImpl;
import org.camunda.bpm.engine.impl.util.xml.Element;
import org.camunda.bpm.engine.variable.Variables;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Runs a journey's send step in the journey itself instead of a {@code relais-send} child
 * instance. Every call activity that calls {@code relais-send} (the "Send message" element
 * template) and is asynchronous before (the template's default) gets, at deployment, a behaviour
 * that evaluates the call activity's own {@code in} mappings in memory, runs {@link SendStep} in
 * the call activity's job and applies the {@code out} mappings: one job and one transaction per
 * send, no child process instance, no copied variables, no child history. The models stay as
 * marketers drew them; {@code relais.send.inline=false} restores the child instance.
 *
 * <p>A send deferred by the policy (quiet hours, throughput) waits on the step itself: a timer job
 * ({@value DeferralJobHandler#TYPE}, due at the next allowed time, visible in Cockpit on the
 * step) tries again then. The idempotency key of an attempt is the id of the job that runs it,
 * stable across that job's retries, new for each attempt. A failed send fails the job, which is
 * retried with {@code relais.send.retry-cycle} (unless the diagram sets its own cycle) and ends as
 * an incident on the step. A call activity that is not asynchronous keeps the child instance,
 * whose own asynchronous task gives the key a committed anchor.
 */
@Component
public class InlineSendSteps extends AbstractProcessEnginePlugin {

  public static final String CALLED_ELEMENT = "relais-send";
  static final String RETRY_SIGNAL = "relais-send-retry";
  static final String RETRY_CYCLE_EXPRESSION = "${journeyDefaults.sendRetryCycle}";

  private final boolean enabled;
  private final ObjectProvider<SendStep> sendStep;

  public InlineSendSteps(@Value("${relais.send.inline:true}") boolean enabled, ObjectProvider<SendStep> sendStep) {
    this.enabled = enabled;
    this.sendStep = sendStep;
  }

  @Override
  public void preInit(ProcessEngineConfigurationImpl configuration) {
    // the handler always: deferrals made while inline was on must still fire (or fail clearly)
    if (configuration.getCustomJobHandlers() == null) {
      configuration.setCustomJobHandlers(new ArrayList<>());
    }
    configuration.getCustomJobHandlers().add(new DeferralJobHandler());
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
      activity.setActivityBehavior(new Behavior(callable, declaresRetryCycle(element)));
    }

    /**
     * After every activity of the process went through every listener, the engine's
     * DefaultFailedJobParseListener (registered after this one) included: it gives an activity
     * with extension elements the global retry cycle when the diagram declares none.
     */
    @Override
    public void parseProcess(Element processElement, ProcessDefinitionEntity processDefinition) {
      applyRetryCycle(processDefinition);
    }

    private void applyRetryCycle(ScopeImpl scope) {
      for (ActivityImpl activity : scope.getActivities()) {
        if (activity.getActivityBehavior() instanceof Behavior behavior && !behavior.declaresRetryCycle) {
          activity.getProperties().set(DefaultFailedJobParseListener.FAILED_JOB_CONFIGURATION, new FailedJobRetryConfiguration(
              Context.getProcessEngineConfiguration().getExpressionManager().createExpression(RETRY_CYCLE_EXPRESSION)));
        }
        applyRetryCycle(activity);
      }
    }

    private static boolean declaresRetryCycle(Element element) {
      Element extensions = element.element("extensionElements");
      return extensions != null
          && extensions.elementNS(BpmnParse.CAMUNDA_BPMN_EXTENSIONS_NS, "failedJobRetryTimeCycle") != null;
    }
  }

  /** The send step's behaviour: send now, or wait on a deferral timer and send then. */
  final class Behavior extends AbstractBpmnActivityBehavior {
    private final CallableElement callable;
    private final boolean declaresRetryCycle;

    Behavior(CallableElement callable, boolean declaresRetryCycle) {
      this.callable = callable;
      this.declaresRetryCycle = declaresRetryCycle;
    }

    @Override
    public void execute(ActivityExecution execution) throws Exception {
      attempt(execution);
    }

    @Override
    public void signal(ActivityExecution execution, String signalName, Object signalData) throws Exception {
      if (RETRY_SIGNAL.equals(signalName)) {
        attempt(execution);
      } else {
        super.signal(execution, signalName, signalData);
      }
    }

    private void attempt(ActivityExecution execution) {
      JobEntity job = Context.getCommandContext().getCurrentJob();
      String key = job != null ? "job:" + job.getId() : "activity:" + execution.getActivityInstanceId();
      Map<String, Object> inputs = callable.getInputVariables(execution);
      String businessKey = callable.getBusinessKey(execution);
      SendStep.Outcome outcome = sendStep.getObject().run(inputs,
          businessKey != null ? businessKey : execution.getProcessBusinessKey(),
          SendMessageDelegate.callingStep(execution), key);
      VariableScope results = readOnlyScope(outcome.outputs());
      execution.setVariables(callable.getOutputVariables(results));
      execution.setVariablesLocal(callable.getOutputVariablesLocal(results));
      if (outcome.outcome() == SendOutcome.DEFERRED) {
        deferUntil((ExecutionEntity) execution, (Date) outcome.outputs().get(SendMessageDelegate.VAR_NOT_BEFORE));
      } else {
        leave(execution);
      }
    }

    private void deferUntil(ExecutionEntity execution, Date notBefore) {
      TimerEntity timer = new TimerEntity();
      timer.setJobHandlerType(DeferralJobHandler.TYPE);
      timer.setJobHandlerConfigurationRaw(execution.getActivityId());
      timer.setDuedate(notBefore != null ? notBefore : new Date());
      timer.setExecution(execution);
      timer.setActivityId(execution.getActivityId());
      timer.setDeploymentId(execution.getProcessDefinition().getDeploymentId());
      Context.getCommandContext().getJobManager().schedule(timer);
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

  /** Fires a deferred send step again when its time has come. */
  static final class DeferralJobHandler implements JobHandler<DeferralJobHandler.Configuration> {
    static final String TYPE = "relais-send-deferred";

    record Configuration(String activityId) implements JobHandlerConfiguration {
      @Override
      public String toCanonicalString() {
        return activityId;
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
      execution.signal(RETRY_SIGNAL, null);
    }

    @Override
    public Configuration newConfiguration(String canonicalString) {
      return new Configuration(canonicalString);
    }

    @Override
    public void onDelete(Configuration configuration, JobEntity jobEntity) {
      // nothing held outside the job
    }
  }
}
