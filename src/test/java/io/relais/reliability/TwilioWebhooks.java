package io.relais.reliability;

import io.relais.bench.RelaisClient;
import io.relais.bench.RelaisNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What Twilio sends to Relais: signed incoming-message and status-callback webhooks. */
final class TwilioWebhooks {

  static final String MESSAGES = "/webhooks/twilio/messages";
  static final String STATUS = "/webhooks/twilio/status";

  private TwilioWebhooks() {}

  /** Posts a form to a node as Twilio would, with X-Twilio-Signature over the node's public URL. */
  static int post(RelaisNode node, String path, Map<String, String> params) {
    String form = params.entrySet().stream()
        .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
        .collect(Collectors.joining("&"));
    RelaisClient anonymous = new RelaisClient(node.baseUrl(), "-", "-");
    return anonymous.postForm(path, form, Map.of("X-Twilio-Signature", signature(node.baseUrl() + path, params))).statusCode();
  }

  /** Twilio's scheme: HMAC-SHA1 with the auth token over the URL then each parameter, sorted, as key+value. */
  static String signature(String url, Map<String, String> params) {
    StringBuilder data = new StringBuilder(url);
    new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(MockProviders.AUTH_TOKEN.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
      return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
