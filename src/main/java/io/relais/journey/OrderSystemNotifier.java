package io.relais.journey;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * "Call the order system" step: tells the order system about the new delivery address
 * ({@code orderId}, {@code newAddress}). An error fails the job: the step is asynchronous with
 * retries (R3/PT1M in the diagram) and ends as an incident an operator retries from Cockpit.
 * Without a configured order system the step is skipped and says so ({@code orderSystemNotified}).
 */
@Component("orderSystemNotifier")
public class OrderSystemNotifier implements JavaDelegate {

  private static final Logger log = LoggerFactory.getLogger(OrderSystemNotifier.class);
  private final OrderSystemClient orderSystem;

  public OrderSystemNotifier(OrderSystemClient orderSystem) {
    this.orderSystem = orderSystem;
  }

  @Override
  public void execute(DelegateExecution execution) {
    if (orderSystem.baseUrl().isEmpty()) {
      log.warn("No order system configured ({}): address change of process {} not forwarded",
          OrderSystemClient.URL_PROPERTY, execution.getProcessInstanceId());
      execution.setVariable("orderSystemNotified", false);
      return;
    }
    Object orderId = execution.getVariable("orderId");
    Object address = execution.getVariable("newAddress");
    if (orderId == null || address == null) {
      throw new IllegalStateException("Call the order system: orderId and newAddress are required");
    }
    orderSystem.addressChanged(orderId.toString(), execution.getProcessBusinessKey(), address.toString());
    execution.setVariable("orderSystemNotified", true);
  }
}
