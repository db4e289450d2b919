package dev.llmproxy.ingress;

import dev.llmproxy.config.Durations;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Map;

/**
 * Reads the request body, refusing it with 413 as soon as it exceeds {@code proxy.max_body_bytes} (by its
 * Content-Length, or while it arrives) so an oversized upload is never buffered, and with 408 when it has not
 * fully arrived within {@code server.body_timeout} of the request's arrival (a slow upload must not hold a
 * connection forever). Either refusal closes the connection: the rest of the upload is not wanted.
 */
public final class ReadBody implements Stage {

  private final Vertx vertx;

  public ReadBody(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return "read-body";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    long max = ctx.snapshot().proxy().maxBodyBytes();
    HttpServerRequest request = ctx.request();
    String declared = request.getHeader("content-length");
    long expected = 1024;
    if (declared != null) {
      try {
        expected = Long.parseLong(declared.trim());
      } catch (NumberFormatException e) {
        expected = -1;
      }
      if (expected < 0) {
        return Future.failedFuture(ApiError.of(ErrorKind.INVALID_REQUEST, "Invalid Content-Length header."));
      }
      if (expected > max) {
        return tooLarge(ctx, max);
      }
    }
    Promise<Void> done = Promise.promise();
    Buffer body = Buffer.buffer((int) Math.max(16, expected));
    request.handler(chunk -> {
      if (done.future().isComplete()) {
        return;
      }
      if (body.length() + chunk.length() > max) {
        tooLarge(ctx, max).onFailure(done::tryFail);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(err ->
        done.tryFail(ApiError.of(ErrorKind.INVALID_REQUEST, "Request body could not be read: " + err.getMessage())));
    request.endHandler(v -> {
      ctx.rawBody(body);
      done.tryComplete();
    });
    Duration limit = ctx.snapshot().server().bodyTimeout();
    if (!limit.isZero()) {
      long left = Math.max(1, limit.toMillis() - ctx.elapsed().toMillis());
      long timer = vertx.setTimer(left, id -> {
        ApiError late = ApiError.of(ErrorKind.REQUEST_TIMEOUT, "The request body did not arrive within "
            + Durations.format(limit) + " (server.body_timeout).").withHeaders(Map.of("Connection", "close"));
        if (done.tryFail(late)) {
          request.pause();
          ctx.onFinish(() -> request.connection().close());
        }
      });
      done.future().onComplete(v -> vertx.cancelTimer(timer));
    }
    request.resume();
    return done.future();
  }

  private static Future<Void> tooLarge(RequestContext ctx, long max) {
    // The rest of the upload is not wanted: close the connection after answering instead of draining it.
    ctx.response().putHeader("Connection", "close");
    return Future.failedFuture(ApiError.of(ErrorKind.BODY_TOO_LARGE,
        "Request body exceeds the limit of " + max + " bytes (proxy.max_body_bytes)."));
  }
}
