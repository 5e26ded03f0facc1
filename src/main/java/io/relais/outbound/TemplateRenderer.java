package io.relais.outbound;

import io.relais.contact.Contact;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills {@code {{firstName}}}, {@code {{attributes.x}}} and journey variables ({@code {{orderId}}},
 * {@code {{order.total}}}) into a text. A placeholder without a value fails: a customer never
 * receives a blank where a name should be.
 */
public final class TemplateRenderer {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_.\\-]*)\\s*}}");

  /** A placeholder that has no value for this contact and journey. */
  public static class MissingVariableException extends RuntimeException {
    private final String variable;

    public MissingVariableException(String variable) {
      super("MISSING_VARIABLE: no value for {{" + variable + "}}");
      this.variable = variable;
    }

    public String variable() {
      return variable;
    }
  }

  private TemplateRenderer() {}

  public static String render(String template, Contact contact, Map<String, Object> variables) {
    if (template == null) {
      return null;
    }
    Map<String, Object> scope = scope(contact, variables);
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Object value = lookup(scope, m.group(1));
      if (value == null || value.toString().isBlank()) {
        throw new MissingVariableException(m.group(1));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value.toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static Map<String, Object> scope(Contact contact, Map<String, Object> variables) {
    Map<String, Object> scope = new LinkedHashMap<>();
    if (variables != null) {
      scope.putAll(variables);
    }
    if (contact != null) {
      putIfNotNull(scope, "firstName", contact.firstName());
      putIfNotNull(scope, "lastName", contact.lastName());
      putIfNotNull(scope, "contactId", contact.id());
      scope.put("attributes", contact.attributes() == null ? Map.of() : contact.attributes());
    }
    return scope;
  }

  private static void putIfNotNull(Map<String, Object> scope, String key, Object value) {
    if (value != null) {
      scope.put(key, value);
    }
  }

  private static Object lookup(Map<String, Object> scope, String path) {
    if (scope.containsKey(path)) {
      return scope.get(path);
    }
    Object current = scope;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }
}
