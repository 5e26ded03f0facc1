package io.relais.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The replies' load generator: form posts through the JDK's blocking {@link HttpURLConnection},
 * whose connections are kept alive and reused by the JDK. The JDK's {@code HttpClient} cost the
 * benchmark's client 1.4–1.5 ms of CPU per reply on the node's own two cores (its asynchronous
 * machinery for a synchronous call): about 10 % of the machine at 200 replies/s, taken from the node
 * it measures. A webhook call is idempotent (Twilio's {@code MessageSid}), so a call that fails on a
 * kept-alive connection the server had closed is sent once more.
 */
final class FormPoster {

  static {
    // the JDK keeps 5 idle connections per server by default; the replies go out on up to 64 threads
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", "128");
    }
  }

  private final String baseUrl;

  FormPoster(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** Posts the URL-encoded {@code form} to {@code path}; answers the response's status code. */
  int post(String path, String form) {
    byte[] body = form.getBytes(StandardCharsets.US_ASCII);
    try {
      return once(path, body);
    } catch (IOException stale) {
      try {
        return once(path, body);
      } catch (IOException e) {
        e.addSuppressed(stale);
        throw new UncheckedIOException("POST " + path, e);
      }
    }
  }

  private int once(String path, byte[] body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(baseUrl + path).openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setConnectTimeout(5_000);
    c.setReadTimeout(60_000);
    c.setFixedLengthStreamingMode(body.length);
    c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    int code = c.getResponseCode();
    // read to the end, so that the connection goes back to the JDK's keep-alive cache
    try (InputStream in = code >= 400 ? c.getErrorStream() : c.getInputStream()) {
      if (in != null) {
        in.readAllBytes();
      }
    }
    return code;
  }
}
