package io.relais.inbound;

import io.relais.journey.JourneyMessages;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code ${extractAddress}}: reads {@code replyText} and writes {@code newAddress} (one line, or
 * null when the reply holds no address) for the delivery-tracking journey to pass on.
 */
@Component("extractAddress")
public class ExtractAddressDelegate implements JavaDelegate {

  public static final String VAR_NEW_ADDRESS = "newAddress";

  private final AddressExtractor extractor;

  public ExtractAddressDelegate(AddressExtractor extractor) {
    this.extractor = extractor;
  }

  @Override
  public void execute(DelegateExecution execution) {
    Object text = execution.getVariable(JourneyMessages.VAR_REPLY_TEXT);
    execution.setVariable(VAR_NEW_ADDRESS, extractor.extract(text == null ? null : text.toString()));
  }
}
