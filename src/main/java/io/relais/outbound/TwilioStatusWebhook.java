package io.relais.outbound;

import com.twilio.security.RequestValidator;
import io.relais.contact.ConsentChanges;
import io.relais.contact.ConsentMethod;
import io.relais.conversation.MessageLog;
import io.relais.conversation.MessageRecord;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.context.annotation.Lazy;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Twilio status callbacks: checks X-Twilio-Signature (over relais.public-base-url + path and the
 * body parameters) whenever an auth token is set, moves the message's status forward only, and
 * turns error 21610 (recipient opted out at Twilio) into a consent withdrawal.
 */
@RestController
public class TwilioStatusWebhook {

  public static final String PATH = "/webhooks/twilio/status";
  /** Query parameter of the StatusCallback URL: our message id, for messages whose Twilio answer (the SID) was lost. */
  public static final String MESSAGE_ID = "messageId";

  private final OutboundProperties props;
  private final MessageLog messages;
  private final OutboundStore store;
  private final ConsentChanges consentChanges;
  private final Clock clock;

  public TwilioStatusWebhook(OutboundProperties props, MessageLog messages, OutboundStore store,
      @Lazy ConsentChanges consentChanges, Clock clock) {
    this.props = props;
    this.messages = messages;
    this.store = store;
    this.consentChanges = consentChanges;
    this.clock = clock;
  }

  @PostMapping(PATH)
  public ResponseEntity<Void> status(HttpServletRequest request) {
    Map<String, String> params = bodyParameters(request);
    String token = props.twilio().authToken();
    if (token != null && !token.isBlank()) {
      String url = props.publicBaseUrl() + PATH + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
      String signature = request.getHeader("X-Twilio-Signature");
      if (signature == null || !new RequestValidator(token).validate(url, params, signature)) {
        return ResponseEntity.status(HttpStatus.FORBIDDEN).build();
      }
    }
    String sid = params.get("MessageSid");
    String status = DeliveryStatus.fromTwilio(params.get("MessageStatus"));
    String errorCode = params.get("ErrorCode");
    if (sid == null || !store.firstTimeSeen(TwilioProvider.NAME, sid + ":" + params.get("MessageStatus"), clock.instant())) {
      return ResponseEntity.ok().build();
    }
    MessageRecord m = messages.findByProviderId(TwilioProvider.NAME, sid).orElse(null);
    if (m == null) {
      m = answerLost(queryParameter(request, MESSAGE_ID), sid);
    }
    if (m == null) {
      return ResponseEntity.ok().build(); // not one of ours (or already purged)
    }
    if (status != null) {
      store.advanceStatus(m.id(), status, errorCode, clock.instant());
    }
    if (TwilioProvider.OPTED_OUT.equals(errorCode)) {
      consentChanges.withdraw(m.contactId(), m.channel(), null, ConsentMethod.PROVIDER, "twilio", sid);
    }
    return ResponseEntity.ok().build();
  }

  /**
   * A message whose Twilio answer never reached us (UNKNOWN, or PENDING after a crash) has no SID
   * yet: the callback's messageId finds it, and it takes the SID now.
   */
  private MessageRecord answerLost(String messageId, String sid) {
    if (messageId == null) {
      return null;
    }
    return messages.find(messageId)
        .filter(m -> m.providerId() == null && TwilioProvider.NAME.equals(m.provider()))
        .filter(m -> store.settleProviderId(m.id(), TwilioProvider.NAME, sid, clock.instant()))
        .orElse(null);
  }

  private static String queryParameter(HttpServletRequest request, String name) {
    if (request.getQueryString() == null) {
      return null;
    }
    for (String pair : request.getQueryString().split("&")) {
      String[] kv = pair.split("=", 2);
      if (kv.length == 2 && name.equals(URLDecoder.decode(kv[0], StandardCharsets.UTF_8))) {
        return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  /** The POST body parameters only: the servlet merges query parameters in, Twilio signs them as part of the URL. */
  static Map<String, String> bodyParameters(HttpServletRequest request) {
    Set<String> queryKeys = new HashSet<>();
    if (request.getQueryString() != null) {
      for (String pair : request.getQueryString().split("&")) {
        queryKeys.add(URLDecoder.decode(pair.split("=", 2)[0], StandardCharsets.UTF_8));
      }
    }
    Map<String, String> params = new HashMap<>();
    request.getParameterMap().forEach((k, v) -> {
      if (!queryKeys.contains(k) && v.length > 0) {
        params.put(k, v[v.length - 1]);
      }
    });
    return params;
  }
}
