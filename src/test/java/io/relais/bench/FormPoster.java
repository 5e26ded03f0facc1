package io.relais.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replies' load generator: form posts over plain HTTP/1.1, one kept-alive connection per
 * client thread, blocking. The JDK's {@code HttpClient} cost the benchmark's client 1.3–1.6 ms of
 * CPU per reply on the node's own two cores (its asynchronous machinery for a synchronous call):
 * 12 % of the machine at 200 replies/s, taken from the node it measures. A webhook call is
 * idempotent (Twilio's {@code MessageSid}), so a call whose kept-alive connection the server had
 * closed is sent again on a new one.
 */
final class FormPoster implements AutoCloseable {

  private final String host;
  private final int port;
  private final ThreadLocal<Connection> connections = new ThreadLocal<>();
  private final Set<Connection> open = ConcurrentHashMap.newKeySet();

  FormPoster(String baseUrl) {
    URI uri = URI.create(baseUrl);
    if (!"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("plain http only: " + baseUrl);
    }
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 80 : uri.getPort();
  }

  /** Posts the URL-encoded {@code form} to {@code path}; answers the response's status code. */
  int post(String path, String form) {
    byte[] request = ("POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
        + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + form.length() + "\r\n\r\n" + form)
        .getBytes(StandardCharsets.US_ASCII);
    for (int attempt = 0; ; attempt++) {
      Connection c = connections.get();
      boolean reused = c != null;
      try {
        if (c == null) {
          c = new Connection(host, port);
          open.add(c);
          connections.set(c);
        }
        return c.exchange(request);
      } catch (IOException e) {
        if (c != null) {
          c.close();
          open.remove(c);
        }
        connections.remove();
        if (!reused || attempt > 0) {
          throw new UncheckedIOException("POST " + path, e);
        }
      }
    }
  }

  @Override
  public void close() {
    open.forEach(Connection::close);
    open.clear();
  }

  private final class Connection {
    private final Socket socket;
    private final BufferedOutputStream out;
    private final InputStream in;

    Connection(String host, int port) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(60_000);
      socket.connect(new InetSocketAddress(host, port), 5_000);
      out = new BufferedOutputStream(socket.getOutputStream(), 2048);
      in = new BufferedInputStream(socket.getInputStream(), 4096);
    }

    int exchange(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String status = line();
      if (!status.startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP response: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      long length = -1;
      boolean chunked = false;
      boolean close = false;
      for (String header = line(); !header.isEmpty(); header = line()) {
        String h = header.toLowerCase(Locale.ROOT);
        if (h.startsWith("content-length:")) {
          length = Long.parseLong(h.substring(15).trim());
        } else if (h.startsWith("transfer-encoding:") && h.contains("chunked")) {
          chunked = true;
        } else if (h.startsWith("connection:") && h.contains("close")) {
          close = true;
        }
      }
      if (chunked) {
        for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0; size = Long.parseLong(line().split(";")[0].trim(), 16)) {
          skip(size);
          line();
        }
        while (!line().isEmpty()) {
          // trailers
        }
      } else if (length > 0) {
        skip(length);
      } else if (length < 0) {
        close = true; // read to the end: not reusable
      }
      if (close) {
        close();
        open.remove(this);
        connections.remove();
      }
      return code;
    }

    private String line() throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream(64);
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed by the server");
        }
        if (c != '\r') {
          b.write(c);
        }
      }
      return b.toString(StandardCharsets.ISO_8859_1);
    }

    private void skip(long n) throws IOException {
      while (n > 0) {
        long skipped = in.skip(n);
        if (skipped <= 0) {
          if (in.read() < 0) {
            throw new IOException("connection closed by the server");
          }
          skipped = 1;
        }
        n -= skipped;
      }
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
