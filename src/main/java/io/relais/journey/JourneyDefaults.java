package io.relais.journey;

import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.VariableScope;
import org.camunda.bpm.model.bpmn.instance.ExtensionElements;
import org.camunda.bpm.model.bpmn.instance.FlowElement;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperties;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaProperty;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * The waits of every journey as parameters, so that marketers and tests tune them without editing
 * XML: {@code ${journeyDefaults.duration(execution, 'cartEmailWait', 'PT24H')}} takes the process
 * variable {@code cartEmailWait} when the journey was started with it, else the property {@code
 * relais.journeys.defaults.cartEmailWait} (or {@code cart-email-wait}), else the default written
 * in the diagram.
 */
@Component("journeyDefaults")
public class JourneyDefaults {

  static final String PREFIX = "relais.journeys.defaults.";

  private static final Pattern CAMEL_HUMP = Pattern.compile("([a-z0-9])([A-Z])");

  private final Environment environment;
  private volatile String sendRetryCycle;
  /** Properties of waits by name, read once (see {@link #configured}). */
  private final Map<String, Optional<String>> configured = new ConcurrentHashMap<>();
  /** The "Wait for reply" gateways' properties, by definition id and gateway id. */
  private final Map<String, Wait> waits = new ConcurrentHashMap<>();

  /** A "Wait for reply" gateway's {@code waitVariable} and {@code waitDefault}. */
  private record Wait(String variable, String fallback) {}

  public JourneyDefaults(Environment environment) {
    this.environment = environment;
  }

  /** The retry cycle of relais-send's provider call when the property does not set it: 5 retries over ~18 min. */
  public static final String DEFAULT_SEND_RETRY_CYCLE = "PT30S,PT1M,PT2M,PT5M,PT10M";

  /**
   * {@code ${journeyDefaults.sendRetryCycle}}: when a failed send (provider 5xx, unreachable) is
   * tried again: {@code relais.send.retry-cycle}, either a list of waits with backoff ({@code
   * PT30S,PT1M,PT2M,PT5M,PT10M}, one retry each, the default) or {@code R5/PT1M}. When the retries
   * run out the job becomes an incident, retried from Cockpit.
   */
  public String getSendRetryCycle() {
    // a property, not a method call, in the BPMN: JUEL looks a called method up by reflection on
    // every evaluation, and this one is evaluated for every send job created
    String cached = sendRetryCycle;
    if (cached != null) {
      return cached;
    }
    String value = environment.getProperty("relais.send.retry-cycle", DEFAULT_SEND_RETRY_CYCLE).trim();
    if (!value.matches("R\\d+/P\\S+")) {
      for (String wait : value.split(",")) {
        checked("relais.send.retry-cycle", wait.trim());
      }
    }
    sendRetryCycle = value;
    return value;
  }

  /** An ISO-8601 duration ({@code PT24H}, {@code P7D}) for a timer; a bad value fails loudly. */
  public String duration(VariableScope execution, String name, String fallback) {
    String value = null;
    Object variable = execution == null ? null : execution.getVariable(name);
    if (variable != null && !variable.toString().isBlank()) {
      value = variable.toString().trim();
    }
    if (value == null) {
      value = configured(name);
    }
    if (value == null || value.isBlank()) {
      value = fallback;
    }
    return checked(name, value.trim());
  }

  /**
   * The timeout of a "Wait for reply" event-based gateway: its extension properties {@code
   * waitVariable} (the name, e.g. {@code replyWait}) and {@code waitDefault} (e.g. {@code PT48H}),
   * set by the element template, resolved like {@link #duration}. The timer after the gateway
   * reads {@code ${journeyDefaults.waitFor(execution)}}; it is evaluated while the gateway is
   * entered, so the current element is the gateway.
   */
  public String waitFor(DelegateExecution execution) {
    // the gateway's properties, read from the model once per definition and gateway (a deployed
    // definition never changes): walking the model's extension elements costs more than the rest
    Wait wait = waits.computeIfAbsent(execution.getProcessDefinitionId() + '#' + execution.getCurrentActivityId(),
        key -> waitProperties(execution));
    return duration(execution, wait.variable(), wait.fallback());
  }

  private static Wait waitProperties(DelegateExecution execution) {
    FlowElement element = execution.getBpmnModelElementInstance();
    String name = null;
    String fallback = null;
    ExtensionElements extensions = element == null ? null : element.getExtensionElements();
    if (extensions != null) {
      for (CamundaProperties props : extensions.getChildElementsByType(CamundaProperties.class)) {
        for (CamundaProperty prop : props.getCamundaProperties()) {
          if ("waitVariable".equals(prop.getCamundaName())) {
            name = prop.getCamundaValue();
          } else if ("waitDefault".equals(prop.getCamundaName())) {
            fallback = prop.getCamundaValue();
          }
        }
      }
    }
    if (name == null || fallback == null) {
      throw new IllegalStateException("Wait for reply at '" + execution.getCurrentActivityId()
          + "': the gateway needs the properties waitVariable and waitDefault (template 'Wait for reply')");
    }
    return new Wait(name, fallback);
  }

  private static String checked(String name, String value) {
    try {
      if (value.contains("T")) {
        Duration.parse(value);
      } else {
        Period.parse(value);
      }
      return value;
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "Journey wait '" + name + "' must be an ISO-8601 duration such as PT24H or P7D, not '" + value + "'", e);
    }
  }

  /**
   * The property {@code relais.journeys.defaults.<name>} (or its kebab-case form), read once per
   * name: the environment does not change while Relais runs, and resolving a property through
   * Spring's sources was 2.6 % of the job threads' CPU in a timer burst (one look-up per timer).
   */
  private String configured(String name) {
    return configured.computeIfAbsent(name, n -> {
      String value = environment.getProperty(PREFIX + n);
      return Optional.ofNullable(value != null ? value : environment.getProperty(PREFIX + kebab(n)));
    }).orElse(null);
  }

  static String kebab(String camel) {
    return CAMEL_HUMP.matcher(camel).replaceAll("$1-$2").toLowerCase(java.util.Locale.ROOT);
  }
}
