package dev.llmproxy.upstream;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** A backend that did not produce a usable HTTP exchange: why, in a vocabulary the retry policy can act on. */
public final class UpstreamFailure extends RuntimeException {

  public enum Kind {
    CONNECT("connection failed"),
    TLS("TLS handshake failed"),
    CONNECT_TIMEOUT("connect timeout"),
    HEADER_TIMEOUT("no response headers in time"),
    FIRST_TOKEN_TIMEOUT("no first token in time"),
    IDLE_TIMEOUT("stream idle too long"),
    RESET("connection reset"),
    /** The request could not be signed for the backend (e.g. no AWS credentials could be resolved). */
    SIGNING("request could not be signed"),
    TOO_LARGE("response too large");

    private final String description;

    Kind(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  private final Kind kind;

  public UpstreamFailure(Kind kind, String detail) {
    super(detail == null || detail.isBlank() ? kind.description() : kind.description() + ": " + detail,
        null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** Maps what Netty/Vert.x raise to our vocabulary. */
  public static UpstreamFailure from(Throwable t) {
    if (t instanceof UpstreamFailure f) {
      return f;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UpstreamFailure f) return f;
      if (c instanceof ConnectTimeoutException) return new UpstreamFailure(Kind.CONNECT_TIMEOUT, c.getMessage());
      if (c instanceof SSLException) return new UpstreamFailure(Kind.TLS, c.getMessage());
      if (c instanceof UnknownHostException) return new UpstreamFailure(Kind.CONNECT, "unknown host " + c.getMessage());
      if (c instanceof ConnectException) return new UpstreamFailure(Kind.CONNECT, c.getMessage());
      if (c instanceof HttpClosedException || c instanceof StreamResetException) {
        return new UpstreamFailure(Kind.RESET, c.getMessage());
      }
    }
    return new UpstreamFailure(Kind.RESET, t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
  }
}
