package dev.llmproxy.install;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Asks {@code GET /health} of a proxy on a loopback port over a plain socket (the JDK's HTTP client takes longer
 * to load than the whole {@code --env} budget). Answering means status 200: a draining proxy is going away.
 * A stopped proxy refuses the connection at once; a live one answers in about a millisecond, but its very first
 * request after start (classes loading) can take a few hundred, hence the longer read timeout.
 */
final class ProxyProbe {

  static final int CONNECT_TIMEOUT_MILLIS = 200;
  static final int READ_TIMEOUT_MILLIS = 1000;

  private ProxyProbe() {}

  static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), CONNECT_TIMEOUT_MILLIS);
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
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
