package io.relais.inbound;

import com.twilio.security.RequestValidator;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Checks {@code X-Twilio-Signature} with the account's auth token ({@code relais.twilio.auth-token})
 * over the public URL Twilio called ({@code relais.public-base-url} + path + query), since behind a
 * proxy the request's own URL is not the one Twilio signed. Without a token, nothing is checked
 * (embedded mode and the simulator).
 */
@Component
public class TwilioSignature {

  private volatile String authToken;
  private final String publicBaseUrl;

  TwilioSignature(@Value("${relais.twilio.auth-token:}") String authToken,
      @Value("${relais.public-base-url:http://localhost:8080}") String publicBaseUrl) {
    this.authToken = authToken;
    this.publicBaseUrl = publicBaseUrl.endsWith("/") ? publicBaseUrl.substring(0, publicBaseUrl.length() - 1) : publicBaseUrl;
  }

  boolean enabled() {
    String t = authToken;
    return t != null && !t.isBlank();
  }

  /** Whether the signature matches (always true when no token is configured). */
  boolean valid(String pathAndQuery, Map<String, String> bodyParams, String signature) {
    if (!enabled()) {
      return true;
    }
    if (signature == null || signature.isBlank()) {
      return false;
    }
    return new RequestValidator(authToken).validate(publicBaseUrl + pathAndQuery, bodyParams, signature);
  }

  String publicBaseUrl() {
    return publicBaseUrl;
  }

  /** Replaces the token (tests; a rotation without restart). */
  void useAuthToken(String token) {
    this.authToken = token;
  }
}
