package io.relais.outbound;

import com.sendgrid.Client;
import com.sendgrid.Method;
import com.sendgrid.Request;
import com.sendgrid.Response;
import com.sendgrid.SendGrid;
import com.sendgrid.helpers.mail.Mail;
import com.sendgrid.helpers.mail.objects.Content;
import com.sendgrid.helpers.mail.objects.Email;
import com.sendgrid.helpers.mail.objects.Personalization;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.apache.http.client.config.RequestConfig;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;

/**
 * Email through sendgrid-java: text and HTML parts, and {@code custom_args} carrying only ids
 * (message, contact, journey) so that Event Webhook events find their message and journey.
 */
public class SendGridProvider implements MessageProvider {

  public static final String NAME = "SENDGRID";

  private final SendGrid sendGrid;
  private final OutboundProperties.Sendgrid config;

  public SendGridProvider(OutboundProperties props) {
    this(props, DeliveryProperties.defaults());
  }

  /**
   * sendgrid-java's default Apache HttpClient has no socket time-out (a silent SendGrid would hold
   * the send job forever) and retries requests it believes unsent: Relais gives it explicit
   * connect/response time-outs ({@code relais.delivery.*}) and exactly one attempt per email.
   */
  public SendGridProvider(OutboundProperties props, DeliveryProperties delivery) {
    this.config = props.sendgrid();
    URI base = URI.create(config.apiBaseUrl());
    boolean plainHttp = "http".equals(base.getScheme());
    RequestConfig timeouts = RequestConfig.custom()
        .setConnectTimeout(millis(delivery.connectTimeout()))
        .setConnectionRequestTimeout(millis(delivery.connectTimeout()))
        .setSocketTimeout(millis(delivery.responseTimeout()))
        .build();
    CloseableHttpClient http = HttpClients.custom()
        .setDefaultRequestConfig(timeouts)
        .disableAutomaticRetries()
        .build();
    this.sendGrid = new SendGrid(config.apiKey(), new Client(http, plainHttp));
    sendGrid.setHost(base.getPort() > 0 ? base.getHost() + ":" + base.getPort() : base.getHost());
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public boolean external() {
    return true;
  }

  /**
   * With the Email Activity add-on ({@code relais.sendgrid.activity-lookup}), finds the email by
   * the {@code messageId} custom argument it was sent with. The activity feed lags a little behind
   * the mail send, which is why only messages in doubt for longer than the provider call's
   * time-outs are looked up.
   */
  @Override
  public Lookup lookup(InDoubt m) {
    if (!config.activityLookup()) {
      return Lookup.UNSUPPORTED;
    }
    try {
      Request request = new Request();
      request.setMethod(Method.GET);
      request.setEndpoint("messages");
      request.addQueryParam("limit", "10");
      request.addQueryParam("query", "unique_args['messageId']=\"" + m.messageId() + "\"");
      Response response = sendGrid.api(request);
      if (response.getStatusCode() / 100 != 2) {
        throw new ProviderException("SendGrid Email Activity refused the lookup of message " + m.messageId() + ": HTTP "
            + response.getStatusCode(), String.valueOf(response.getStatusCode()), false, null);
      }
      JsonNode found = JSON.readTree(response.getBody()).path("messages");
      return found.isArray() && !found.isEmpty() ? Lookup.found(found.get(0).path("msg_id").asText("SG-" + m.messageId())) : Lookup.NOT_FOUND;
    } catch (IOException e) {
      throw new ProviderException("SendGrid could not be asked about message " + m.messageId() + ": " + e, "SENDGRID_LOOKUP", false, e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  @Override
  public Receipt send(OutboundMessage m) {
    Mail mail = new Mail();
    mail.setFrom(new Email(config.fromEmail(), config.fromName()));
    mail.setSubject(m.subject());
    Personalization p = new Personalization();
    p.addTo(new Email(m.to()));
    p.addCustomArg("messageId", m.messageId());
    p.addCustomArg("contactId", m.contactId());
    JourneyStep step = m.step();
    if (step.processInstanceId() != null) {
      p.addCustomArg("processInstanceId", step.processInstanceId());
      p.addCustomArg("journeyKey", step.journeyKey());
      p.addCustomArg("stepId", step.stepId());
    }
    mail.addPersonalization(p);
    mail.addContent(new Content("text/plain", m.text()));
    mail.addContent(new Content("text/html", m.html()));
    try {
      Request request = new Request();
      request.setMethod(Method.POST);
      request.setEndpoint("mail/send");
      request.setBody(mail.build());
      Response response = sendGrid.api(request);
      if (response.getStatusCode() / 100 != 2) {
        throw new ProviderException("SendGrid refused the email: HTTP " + response.getStatusCode() + " " + response.getBody(),
            String.valueOf(response.getStatusCode()), false, null);
      }
      String id = response.getHeaders() == null ? null : response.getHeaders().get("X-Message-Id");
      return new Receipt(id != null ? id : "SG-" + m.messageId(), "SENT");
    } catch (IOException e) {
      if (ProviderCalls.certainlyNotSent(e)) {
        throw new ProviderException("SendGrid unreachable: " + e, "SENDGRID_ERROR", false, e);
      }
      throw ProviderException.unknown("No answer from SendGrid after the request was sent: " + e, "SENDGRID_TIMEOUT", e);
    }
  }
}
