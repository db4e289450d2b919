package dev.llmproxy.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * A loopback port nothing listens on right now, for a server that must be told its port before it starts (a
 * child process, several verticles sharing one port, Redis, PostgreSQL). In-process servers listen on port 0.
 */
public final class FreePort {

  private FreePort() {}

  /** On 127.0.0.1. */
  public static int loopback() {
    return on(InetAddress.getLoopbackAddress());
  }

  /** On ::1. */
  public static int ipv6Loopback() {
    try {
      return on(InetAddress.getByName("::1"));
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int on(InetAddress address) {
    try (ServerSocket socket = new ServerSocket(0, 1, address)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
