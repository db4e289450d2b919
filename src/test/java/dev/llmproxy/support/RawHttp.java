package dev.llmproxy.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One raw TCP connection to the gateway, for what an HTTP client library would hide or refuse to send: framing
 * tricks, oversized heads, half-sent requests, idle connections. Bytes go out exactly as written.
 */
public final class RawHttp implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;

  private RawHttp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = socket.getInputStream();
  }

  public static RawHttp connect(int port) {
    try {
      return new RawHttp(new Socket("127.0.0.1", port));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code text} as ISO-8859-1 bytes ({@code \r\n} line ends are the caller's). */
  public RawHttp send(String text) {
    try {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return this;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Everything the gateway sends until it closes the connection; fails if it is still open after {@code timeout}. */
  public String readUntilClosed(Duration timeout) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      byte[] buf = new byte[8192];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("connection still open after " + timeout + "; received: " + text(out));
    } catch (SocketException e) {
      // reset by the peer: what arrived before counts, the connection is closed
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return text(out);
  }

  /** One response with a Content-Length body, leaving the connection open for the next. */
  public String readResponse(Duration timeout) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      socket.setSoTimeout((int) timeout.toMillis());
      int length = -1;
      while (true) {
        int b = in.read();
        if (b < 0) {
          throw new AssertionError("connection closed mid-response: " + text(out));
        }
        out.write(b);
        String head = text(out);
        if (head.endsWith("\r\n\r\n")) {
          for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
              length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
          }
          break;
        }
      }
      out.write(in.readNBytes(Math.max(0, length)));
    } catch (SocketTimeoutException e) {
      throw new AssertionError("no complete response within " + timeout + "; received: " + text(out));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return text(out);
  }

  /** The JSON body of a response text. */
  public static String body(String response) {
    int start = response.indexOf("\r\n\r\n");
    return start < 0 ? "" : response.substring(start + 4);
  }

  private static String text(ByteArrayOutputStream out) {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
