package io.relais.journey;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Finds a French postal address in the customer's reply ("je serai absent, livrez au 12 rue des
 * Lilas 69003 Lyon") and writes {@code newAddress} and {@code addressFound}. An address needs a
 * street number, a street and a five-digit postal code followed by a town; anything less goes to
 * an agent rather than to the carrier.
 */
@Component("extractDeliveryAddress")
public class DeliveryAddressExtractor implements JavaDelegate {

  private static final Pattern ADDRESS =
      Pattern.compile(
          "(\\d{1,4}\\s*(?:bis|ter)?,?\\s+[\\p{L}'’.\\- ]{3,80}?,?\\s+\\d{5}\\s+[\\p{L}'’\\- ]{2,60})",
          Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);

  @Override
  public void execute(DelegateExecution execution) {
    Object text = execution.getVariable(JourneyMessages.VAR_REPLY_TEXT);
    Optional<String> address = extract(text == null ? "" : text.toString());
    execution.setVariable("addressFound", address.isPresent());
    execution.setVariable("newAddress", address.orElse(null));
  }

  /** The address in a free text, normalised to single spaces, if there is one. */
  static Optional<String> extract(String text) {
    Matcher m = ADDRESS.matcher(text.replace('\n', ' '));
    if (!m.find()) {
      return Optional.empty();
    }
    String found = m.group(1).replaceAll("\\s+", " ").trim().replaceAll("[.,;!?]+$", "");
    return Optional.of(found);
  }
}
