package io.relais.inbound;

import io.relais.web.InvalidInputException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /webhooks/twilio/messages}: Twilio's incoming-message webhook (SMS, WhatsApp, RCS).
 * Signature first (403, nothing stored), then the {@link InboundIntake}; answers an empty TwiML
 * {@code <Response/>} once the message is stored (also for a replay), 400 naming the field for a
 * message that cannot be stored.
 */
@RestController
public class TwilioMessageWebhook {

  public static final String PATH = "/webhooks/twilio/messages";
  static final String EMPTY_TWIML = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";
  private static final int MAX_MEDIA = 10;

  private final InboundIntake intake;
  private final TwilioSignature signature;

  public TwilioMessageWebhook(InboundIntake intake, TwilioSignature signature) {
    this.intake = intake;
    this.signature = signature;
  }

  @PostMapping(path = PATH, consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
  public ResponseEntity<?> receive(HttpServletRequest request) {
    Map<String, String> params = bodyParams(request);
    String pathAndQuery = request.getRequestURI() + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
    if (!signature.valid(pathAndQuery, params, request.getHeader("X-Twilio-Signature"))) {
      ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "X-Twilio-Signature missing or not valid for this URL and body");
      p.setTitle("Forbidden");
      return ResponseEntity.status(HttpStatus.FORBIDDEN).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(p);
    }
    intake.receive(new InboundMessage("TWILIO", params.get("MessageSid"), params.get("From"), params.get("To"),
        params.get("Body"), media(params), params.get("ProfileName")));
    return ResponseEntity.ok().contentType(MediaType.TEXT_XML).body(EMPTY_TWIML);
  }

  private static List<InboundMessage.Media> media(Map<String, String> params) {
    String num = params.getOrDefault("NumMedia", "0").trim();
    int count;
    try {
      count = num.isEmpty() ? 0 : Integer.parseInt(num);
    } catch (NumberFormatException e) {
      throw new InvalidInputException("NumMedia", "NumMedia must be a whole number");
    }
    if (count < 0 || count > MAX_MEDIA) {
      throw new InvalidInputException("NumMedia", "NumMedia must be between 0 and " + MAX_MEDIA);
    }
    List<InboundMessage.Media> media = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String url = params.get("MediaUrl" + i);
      if (url == null || url.isBlank()) {
        throw new InvalidInputException("MediaUrl" + i, "MediaUrl" + i + " is missing although NumMedia is " + count);
      }
      media.add(new InboundMessage.Media(url, params.get("MediaContentType" + i)));
    }
    return media;
  }

  /**
   * The form parameters of the body only: the servlet merges query parameters in, but Twilio
   * signs the URL (with its query) and the body parameters separately.
   */
  static Map<String, String> bodyParams(HttpServletRequest request) {
    Map<String, List<String>> fromQuery = new HashMap<>();
    String query = request.getQueryString();
    if (query != null) {
      for (String pair : query.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        fromQuery.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }
    Map<String, String> params = new HashMap<>();
    request.getParameterMap().forEach((name, values) -> {
      List<String> remaining = new ArrayList<>(Arrays.asList(values));
      for (String q : fromQuery.getOrDefault(name, List.of())) {
        remaining.remove(q);
      }
      if (!remaining.isEmpty()) {
        params.put(name, remaining.get(0));
      }
    });
    return params;
  }
}
