package dev.llmproxy.upstream;

import static dev.llmproxy.detection.TransportFailure.CONNECT;
import static dev.llmproxy.detection.TransportFailure.CONNECT_TIMEOUT;
import static dev.llmproxy.detection.TransportFailure.RESET;
import static dev.llmproxy.detection.TransportFailure.TLS;

import dev.llmproxy.detection.TransportFailure;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;

/** A backend that did not produce a usable HTTP exchange: why, in the classifier's vocabulary. */
public final class UpstreamFailure extends RuntimeException {

  private final TransportFailure kind;

  public UpstreamFailure(TransportFailure kind, String detail) {
    super(detail == null || detail.isBlank() ? kind.description() : kind.description() + ": " + detail,
        null, false, false);
    this.kind = kind;
  }

  public TransportFailure kind() {
    return kind;
  }

  /** Maps what Netty/Vert.x raise to our vocabulary. */
  public static UpstreamFailure from(Throwable t) {
    if (t instanceof UpstreamFailure f) {
      return f;
    }
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UpstreamFailure f) return f;
      if (c instanceof ConnectTimeoutException) return new UpstreamFailure(CONNECT_TIMEOUT, c.getMessage());
      if (c instanceof SSLException) return new UpstreamFailure(TLS, c.getMessage());
      if (c instanceof UnknownHostException) return new UpstreamFailure(CONNECT, "unknown host " + c.getMessage());
      if (c instanceof ConnectException) return new UpstreamFailure(CONNECT, c.getMessage());
      if (c instanceof HttpClosedException || c instanceof StreamResetException) {
        return new UpstreamFailure(RESET, c.getMessage());
      }
    }
    return new UpstreamFailure(RESET,
        t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
  }
}
