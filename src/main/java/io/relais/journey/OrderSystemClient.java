package io.relais.journey;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The brand's order system over HTTP, at {@code relais.order-system.url} (no URL: not configured,
 * calls are skipped). The URL is read at each call so that an operator can point it elsewhere
 * without a restart of the journeys, and tests at a local mock. Timeouts stay far below the job
 * lock time so that a slow order system never makes a job run twice.
 */
@Component
public class OrderSystemClient {

  static final String URL_PROPERTY = "relais.order-system.url";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Environment environment;
  private final RestClient.Builder builder;

  public OrderSystemClient(Environment environment) {
    this.environment = environment;
    JdkClientHttpRequestFactory factory =
        new JdkClientHttpRequestFactory(
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build());
    factory.setReadTimeout(TIMEOUT);
    this.builder = RestClient.builder().requestFactory(factory);
  }

  /** The base URL, when an order system is configured. */
  public Optional<String> baseUrl() {
    String url = environment.getProperty(URL_PROPERTY);
    return url == null || url.isBlank() ? Optional.empty() : Optional.of(url.replaceAll("/+$", ""));
  }

  /** Tells the order system that the customer gave a new delivery address (fails on any non-2xx). */
  public void addressChanged(String orderId, String contactId, String newAddress) {
    String base = baseUrl().orElseThrow();
    builder.baseUrl(base).build()
        .post()
        .uri("/orders/{orderId}/delivery-address", orderId)
        .contentType(MediaType.APPLICATION_JSON)
        .body(Map.of("orderId", orderId, "contactId", contactId, "address", newAddress))
        .retrieve()
        .toBodilessEntity();
  }

  /** The customer's latest order status as a customer-facing French sentence, if the system has one. */
  public Optional<String> latestOrderStatus(String contactId) {
    String base = baseUrl().orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> body = builder.baseUrl(base).build()
        .get()
        .uri("/customers/{contactId}/orders/latest/status", contactId)
        .accept(MediaType.APPLICATION_JSON)
        .retrieve()
        .body(Map.class);
    if (body == null || body.get("text") == null) {
      return Optional.empty();
    }
    return Optional.of(body.get("text").toString());
  }
}
