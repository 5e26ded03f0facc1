package io.relais.outbound;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Whether a failed provider call certainly did not send anything. Only a failure to connect (refused,
 * connect time-out, unknown host, TLS handshake) proves the request never left; a time-out or a
 * reset once the request was written leaves the outcome unknown: the provider may have accepted it.
 */
final class ProviderCalls {

  private ProviderCalls() {}

  static boolean certainlyNotSent(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof ConnectException // java.net.http and Apache's HttpHostConnectException: connection refused
          || t instanceof HttpConnectTimeoutException
          || t instanceof org.apache.http.conn.ConnectTimeoutException // includes the pool's ConnectionPoolTimeoutException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException
          || t instanceof SSLHandshakeException) {
        return true;
      }
    }
    return false;
  }
}
