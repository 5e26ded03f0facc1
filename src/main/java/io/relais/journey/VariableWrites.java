package io.relais.journey;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.camunda.bpm.engine.delegate.VariableScope;

/**
 * Leaves out the writes that would not change a journey's variables. The engine writes a variable
 * set to the value it already holds as if it had changed: an update of its row (its revision goes
 * up), a read of its history row and the history event built for it (two statements, measured in
 * docs/performance.md; the history row itself is left as it was). A send step
 * that records {@code sendOutcome = SENT} after an earlier step did, a reply's {@code replyChannel}
 * or {@code contactId} that the journey already holds: nothing changes, so nothing is written.
 *
 * <p>Only plain values are compared (text, numbers of the same type, booleans, dates, null); an
 * object or a typed value is always written. A value that is equal but of another type (an
 * {@code Integer} where a {@code Long} was) is written: the variable's type changes. Variables are
 * resolved as {@link VariableScope#setVariable} resolves them (the nearest scope that has the
 * variable), so the variable left alone is the one the write would have updated.
 */
public final class VariableWrites {

  private VariableWrites() {}

  /** The entries of {@code values} that would change what {@code scope} holds, in their order. */
  public static Map<String, Object> changed(VariableScope scope, Map<String, ?> values) {
    Map<String, Object> changed = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      if (!holds(scope, e.getKey(), e.getValue())) {
        changed.put(e.getKey(), e.getValue());
      }
    }
    return changed;
  }

  /** Sets the variable unless {@code scope} already holds this very value. */
  public static void setIfChanged(VariableScope scope, String name, Object value) {
    if (!holds(scope, name, value)) {
      scope.setVariable(name, value);
    }
  }

  /** Whether the variable {@code name} exists and holds {@code value}, a plain value of the same type. */
  static boolean holds(VariableScope scope, String name, Object value) {
    if (!plain(value) || !scope.hasVariable(name)) {
      return false;
    }
    Object current = scope.getVariable(name);
    return current == null ? value == null : value != null && current.getClass() == value.getClass() && Objects.equals(current, value);
  }

  private static boolean plain(Object value) {
    return value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
        || value instanceof Long || value instanceof Short || value instanceof Double || value.getClass() == Date.class;
  }
}
