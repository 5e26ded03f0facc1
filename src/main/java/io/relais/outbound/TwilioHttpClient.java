package io.relais.outbound;

import com.twilio.http.HttpClient;
import com.twilio.http.HttpMethod;
import com.twilio.http.Request;
import com.twilio.http.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The Twilio SDK's HTTP transport for Relais: points {@code https://api.twilio.com} at
 * {@code relais.twilio.api-base-url} (tests, staging mocks) and makes exactly one attempt per call,
 * because the SDK's own 5xx retry of {@code POST /Messages} can send a customer the same SMS twice.
 * A failure to connect throws {@link com.twilio.exception.ApiConnectionException} (nothing left);
 * a time-out or reset after the request was written throws {@link OutcomeUnknown}.
 */
public class TwilioHttpClient extends HttpClient {

  static final String TWILIO_API = "https://api.twilio.com";

  private final String apiBaseUrl;
  private final Duration responseTimeout;
  private final java.net.http.HttpClient http;

  public TwilioHttpClient(String apiBaseUrl) {
    this(apiBaseUrl, DeliveryProperties.defaults());
  }

  /** Connect time-out and response time-out from {@code relais.delivery.*}. */
  public TwilioHttpClient(String apiBaseUrl, DeliveryProperties delivery) {
    this.apiBaseUrl = apiBaseUrl;
    this.responseTimeout = delivery.responseTimeout();
    this.http = java.net.http.HttpClient.newBuilder().connectTimeout(delivery.connectTimeout()).build();
  }

  @Override
  public Response reliableRequest(Request request) {
    return makeRequest(request);
  }

  @Override
  public Response reliableRequest(Request request, int[] retryCodes, int retries, long delayMillis) {
    return makeRequest(request);
  }

  @Override
  public Response makeRequest(Request request) {
    String url = request.constructURL().toString();
    if (url.startsWith(TWILIO_API)) {
      url = apiBaseUrl + url.substring(TWILIO_API.length());
    }
    String form = request.getMethod() == HttpMethod.POST ? request.encodeFormBody() : null;
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .timeout(responseTimeout)
        .header("Accept", "application/json")
        .header("User-Agent", "relais twilio-java");
    if (request.requiresAuthentication()) {
      b.header("Authorization", request.getAuthString());
    }
    for (Map.Entry<String, List<String>> h : request.getHeaderParams().entrySet()) {
      for (String v : h.getValue()) {
        b.header(h.getKey(), v);
      }
    }
    if (form != null) {
      b.header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
    } else {
      b.method(request.getMethod().toString(), HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      String body = r.body();
      if (r.statusCode() >= 400 && (body == null || body.isBlank())) {
        // an error answer without a body (a gateway's 502/504): the SDK would fail to parse it and
        // lose the status, which says that the message was refused, not that it may have gone
        body = "{\"code\":" + r.statusCode() + ",\"message\":\"HTTP " + r.statusCode() + " without a body\",\"status\":"
            + r.statusCode() + "}";
      }
      return new Response(body, r.statusCode());
    } catch (IOException e) {
      if (ProviderCalls.certainlyNotSent(e)) {
        throw new com.twilio.exception.ApiConnectionException("Twilio unreachable at " + url + ": " + e, e);
      }
      throw new OutcomeUnknown("No answer from Twilio at " + url + " after the request was sent: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new com.twilio.exception.ApiConnectionException("Interrupted calling Twilio", e);
    }
  }

  /** The request was (or may have been) written but no answer came: Twilio may have accepted the message. */
  public static class OutcomeUnknown extends com.twilio.exception.ApiConnectionException {
    public OutcomeUnknown(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
