package io.relais.journey;

import io.relais.contact.Channel;
import io.relais.contact.ConsentPolicy;
import io.relais.contact.ConsentVerdict;
import io.relais.contact.Purpose;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * "Check consent" step: asks the consent ledger whether the journey's contact may receive
 * (channel, purpose) now and writes the answer (a Boolean) to the variable the step names, so the
 * diagram can branch on it (e.g. a WhatsApp follow-up only with WhatsApp marketing consent).
 * Inputs: {@code consentChannel}, {@code consentPurpose}, {@code consentResultVariable} (default
 * {@code consentGranted}).
 */
@Component("checkConsent")
public class ConsentCheck implements JavaDelegate {

  private final ObjectProvider<ConsentPolicy> consentPolicy;

  public ConsentCheck(ObjectProvider<ConsentPolicy> consentPolicy) {
    this.consentPolicy = consentPolicy;
  }

  @Override
  public void execute(DelegateExecution execution) {
    Channel channel = Channel.valueOf(required(execution, "consentChannel"));
    Purpose purpose = Purpose.valueOf(required(execution, "consentPurpose"));
    Object target = execution.getVariable("consentResultVariable");
    String resultVariable = target == null || target.toString().isBlank() ? "consentGranted" : target.toString();
    ConsentVerdict verdict =
        consentPolicy.getObject().check(execution.getProcessBusinessKey(), channel, purpose);
    execution.getProcessInstance().setVariable(resultVariable, verdict.allowed());
  }

  private static String required(DelegateExecution execution, String name) {
    Object value = execution.getVariable(name);
    if (value == null || value.toString().isBlank()) {
      throw new IllegalArgumentException("Check consent: input '" + name + "' is missing");
    }
    return value.toString().trim();
  }
}
