package dev.llmproxy.upstream;

import dev.llmproxy.detection.TransportFailure;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import java.time.Duration;

/**
 * A backend's response whose status and headers have arrived and whose body has not been read: the response is
 * paused. The owner either reads it ({@link #readBody}), hands it to a stream relay, or {@link #release}s it.
 */
public final class UpstreamExchange {

  private final Vertx vertx;
  private final Candidate candidate;
  private final HttpClientRequest request;
  private final HttpClientResponse response;
  private boolean released;
  private Promise<Buffer> reading;

  UpstreamExchange(Vertx vertx, Candidate candidate, HttpClientRequest request, HttpClientResponse response) {
    this.vertx = vertx;
    this.candidate = candidate;
    this.request = request;
    this.response = response;
  }

  public Candidate candidate() {
    return candidate;
  }

  public int status() {
    return response.statusCode();
  }

  public MultiMap headers() {
    return response.headers();
  }

  public HttpClientResponse response() {
    return response;
  }

  public boolean isEventStream() {
    String type = response.getHeader("content-type");
    return type != null && type.toLowerCase().startsWith("text/event-stream");
  }

  /**
   * Reads the whole body. Fails with {@link UpstreamFailure} when it exceeds {@code limit} bytes, when no byte
   * arrives for {@code idle}, or when the connection breaks.
   */
  public Future<Buffer> readBody(long limit, Duration idle) {
    Promise<Buffer> promise = Promise.promise();
    reading = promise;
    Buffer body = Buffer.buffer();
    long[] timer = {armIdle(idle, promise)};
    response.handler(chunk -> {
      vertx.cancelTimer(timer[0]);
      if (body.length() + chunk.length() > limit) {
        release();
        promise.tryFail(new UpstreamFailure(TransportFailure.TOO_LARGE, "over " + limit + " bytes"));
        return;
      }
      body.appendBuffer(chunk);
      timer[0] = armIdle(idle, promise);
    });
    response.exceptionHandler(err -> {
      vertx.cancelTimer(timer[0]);
      promise.tryFail(UpstreamFailure.from(err));
    });
    response.endHandler(v -> {
      vertx.cancelTimer(timer[0]);
      promise.tryComplete(body);
    });
    response.resume();
    return promise.future();
  }

  private long armIdle(Duration idle, Promise<Buffer> promise) {
    return vertx.setTimer(Math.max(1, idle.toMillis()), id -> {
      release();
      promise.tryFail(new UpstreamFailure(TransportFailure.IDLE_TIMEOUT, "no data for " + idle.toMillis() + " ms"));
    });
  }

  /**
   * Abandons the response: the upstream connection is reset so the backend stops generating, and a body being
   * read fails at once rather than waiting for an idle timeout. Idempotent.
   */
  public void release() {
    if (!released) {
      released = true;
      request.reset();
      if (reading != null) {
        reading.tryFail(new UpstreamFailure(TransportFailure.RESET, "released"));
      }
    }
  }
}
