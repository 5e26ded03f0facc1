package io.relais.journey;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClientException;

/**
 * Answers "où en est ma commande ?": asks the order system for the contact's latest order and
 * writes a French answer to {@code orderStatusText}. The customer is waiting on the phone, so an
 * unavailable order system gives an honest answer instead of an incident.
 */
@Component("orderStatus")
public class OrderStatusLookup implements JavaDelegate {

  static final String UNAVAILABLE =
      "Nous ne pouvons pas consulter votre commande pour le moment. Répondez CONSEILLER pour échanger avec un conseiller.";
  private static final Logger log = LoggerFactory.getLogger(OrderStatusLookup.class);

  private final OrderSystemClient orderSystem;

  public OrderStatusLookup(OrderSystemClient orderSystem) {
    this.orderSystem = orderSystem;
  }

  @Override
  public void execute(DelegateExecution execution) {
    String text = UNAVAILABLE;
    if (orderSystem.baseUrl().isPresent()) {
      try {
        text = orderSystem.latestOrderStatus(execution.getProcessBusinessKey()).orElse(UNAVAILABLE);
      } catch (RestClientException e) {
        log.warn("Order status lookup failed for process {}: {}", execution.getProcessInstanceId(), e.getMessage());
      }
    }
    execution.setVariable("orderStatusText", text);
  }
}
