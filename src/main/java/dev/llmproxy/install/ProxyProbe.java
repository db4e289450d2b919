package dev.llmproxy.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Asks {@code GET /health} of a proxy on a loopback port over a plain socket (the JDK's HTTP client takes longer
 * to load than the whole {@code --env} budget). Answering means status 200: a draining proxy is going away.
 * A stopped proxy refuses the connection at once; a live one answers in about a millisecond. Its very first
 * request after start loads classes and takes hundreds of milliseconds, more than a second on a busy machine,
 * which a shell must not wait for: so a proxy started with {@code --register} asks itself first
 * ({@link #awaitAnswer}) and publishes its port only then, and a shell's probe always meets a warm proxy.
 */
public final class ProxyProbe {

  static final int CONNECT_TIMEOUT_MILLIS = 200;
  static final int READ_TIMEOUT_MILLIS = 1000;

  private ProxyProbe() {}

  static boolean answers(int port) {
    return answers(port, READ_TIMEOUT_MILLIS);
  }

  /**
   * Whether the proxy on {@code port} answers within {@code timeout}: for the proxy itself, before it publishes
   * its port, so that its first (slow) request is not a shell's.
   */
  public static boolean awaitAnswer(int port, Duration timeout) {
    return answers(port, (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis())));
  }

  private static boolean answers(int port, int readTimeoutMillis) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
      socket.setSoTimeout(readTimeoutMillis);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] head = new byte[12];
      int read = 0;
      while (read < head.length) {
        int n = in.read(head, read, head.length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
      String status = new String(head, 0, read, StandardCharsets.US_ASCII);
      return status.startsWith("HTTP/1.") && status.endsWith(" 200");
    } catch (IOException e) {
      return false;
    }
  }
}
