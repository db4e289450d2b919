package dev.llmproxy.bedrock;

import dev.llmproxy.detection.TransportFailure;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpFrame;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.StreamPriority;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import java.util.List;

/**
 * A Bedrock answer as the relay of an Anthropic route must see it. Everything but the body bytes and the headers
 * describing them (status, pause/resume, the connection) is the real response's, so the relay's backpressure and
 * timeouts work unchanged.
 *
 * <ul>
 *   <li>{@link #eventStreamAsSse}: each decoded {@code chunk} frame becomes {@code event: <type>} with Bedrock's
 *       JSON as its data, an exception frame an Anthropic {@code error} event; a frame with a bad checksum fails
 *       the stream (and is counted for {@code /health/bedrock}).
 *   <li>{@link #errorAsAnthropic}: Bedrock's error body ({@code {"message": ...}} with {@code x-amzn-ErrorType})
 *       becomes Anthropic's error shape, so a client gets an error it understands and detection reads it.
 * </ul>
 */
final class ResponseView implements HttpClientResponse {

  /** Turns the bytes of the real body into the view's; may hold bytes back until the end. */
  private interface Transform {
    Buffer chunk(Buffer chunk);

    Buffer end();
  }

  private final HttpClientResponse delegate;
  private final MultiMap headers;
  private final Transform transform;
  private Handler<Buffer> dataHandler;
  private Handler<Void> endHandler;
  private Handler<Throwable> exceptionHandler = e -> {};
  private boolean failed;

  private ResponseView(HttpClientResponse delegate, String contentType, Transform transform) {
    this.delegate = delegate;
    this.transform = transform;
    this.headers = MultiMap.caseInsensitiveMultiMap().addAll(delegate.headers());
    headers.set("content-type", contentType);
    headers.remove("content-length");
  }

  static ResponseView eventStreamAsSse(HttpClientResponse response, String backend, BedrockStats stats) {
    EventStreamDecoder decoder = new EventStreamDecoder();
    return new ResponseView(response, "text/event-stream", new Transform() {
      @Override
      public Buffer chunk(Buffer chunk) {
        List<EventStreamDecoder.Event> events;
        try {
          events = decoder.feed(chunk);
        } catch (EventStreamDecoder.DecodeException e) {
          stats.decodeError(backend, e.getMessage());
          throw e;
        }
        stats.frames(backend, events.size());
        return sse(events);
      }

      @Override
      public Buffer end() {
        return Buffer.buffer();
      }
    });
  }

  static ResponseView errorAsAnthropic(HttpClientResponse response) {
    Buffer body = Buffer.buffer();
    String errorType = response.getHeader("x-amzn-ErrorType");
    return new ResponseView(response, "application/json", new Transform() {
      @Override
      public Buffer chunk(Buffer chunk) {
        body.appendBuffer(chunk);
        return Buffer.buffer();
      }

      @Override
      public Buffer end() {
        String type = errorType == null ? "Error " + response.statusCode() : errorType.split(":", 2)[0];
        String message = body.toString(java.nio.charset.StandardCharsets.UTF_8);
        try {
          message = new JsonObject(body).getString("message", message);
        } catch (RuntimeException notJson) {
          // keep the text
        }
        return new JsonObject().put("type", "error").put("error", new JsonObject()
                .put("type", response.statusCode() == 429 ? "rate_limit_error"
                    : EventStreamDecoder.anthropicErrorType(type))
                .put("message", "Bedrock " + type + ": " + message))
            .toBuffer();
      }
    });
  }

  static Buffer sse(List<EventStreamDecoder.Event> events) {
    Buffer out = Buffer.buffer();
    for (EventStreamDecoder.Event event : events) {
      if (event instanceof EventStreamDecoder.Chunk chunk) {
        out.appendString("event: " + chunk.type() + "\ndata: " + chunk.json() + "\n\n");
      } else if (event instanceof EventStreamDecoder.Failure failure) {
        out.appendString("event: error\ndata: " + failure.anthropicErrorEvent() + "\n\n");
      }
    }
    return out;
  }

  @Override
  public HttpClientResponse handler(Handler<Buffer> handler) {
    this.dataHandler = handler;
    if (handler == null) {
      delegate.handler(null);
      return this;
    }
    delegate.handler(chunk -> {
      if (failed) {
        return;
      }
      Buffer out;
      try {
        out = transform.chunk(chunk);
      } catch (EventStreamDecoder.DecodeException e) {
        failed = true;
        exceptionHandler.handle(new UpstreamFailure(TransportFailure.RESET, e.getMessage()));
        return;
      }
      if (out.length() > 0) {
        handler.handle(out);
      }
    });
    return this;
  }

  @Override
  public HttpClientResponse endHandler(Handler<Void> handler) {
    this.endHandler = handler;
    delegate.endHandler(handler == null ? null : v -> {
      if (failed) {
        return;
      }
      Buffer tail = transform.end();
      if (tail.length() > 0 && dataHandler != null) {
        dataHandler.handle(tail);
      }
      if (endHandler != null) {
        endHandler.handle(null);
      }
    });
    return this;
  }

  @Override
  public HttpClientResponse exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler == null ? e -> {} : handler;
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public HttpClientResponse pause() {
    delegate.pause();
    return this;
  }

  @Override
  public HttpClientResponse resume() {
    delegate.resume();
    return this;
  }

  @Override
  public HttpClientResponse fetch(long amount) {
    delegate.fetch(amount);
    return this;
  }

  @Override
  public MultiMap headers() {
    return headers;
  }

  @Override
  public String getHeader(String name) {
    return headers.get(name);
  }

  @Override
  public String getHeader(CharSequence name) {
    return headers.get(name);
  }

  @Override
  public HttpVersion version() {
    return delegate.version();
  }

  @Override
  public int statusCode() {
    return delegate.statusCode();
  }

  @Override
  public String statusMessage() {
    return delegate.statusMessage();
  }

  @Override
  public List<String> cookies() {
    return delegate.cookies();
  }

  @Override
  public NetSocket netSocket() {
    return delegate.netSocket();
  }

  @Override
  public String getTrailer(String name) {
    return delegate.getTrailer(name);
  }

  @Override
  public MultiMap trailers() {
    return delegate.trailers();
  }

  @Override
  public Future<Buffer> body() {
    throw new UnsupportedOperationException("read a Bedrock answer through handler()");
  }

  @Override
  public Future<Void> end() {
    return delegate.end();
  }

  @Override
  public HttpClientResponse customFrameHandler(Handler<HttpFrame> handler) {
    delegate.customFrameHandler(handler);
    return this;
  }

  @Override
  public HttpClientRequest request() {
    return delegate.request();
  }

  @Override
  public HttpClientResponse streamPriorityHandler(Handler<StreamPriority> handler) {
    delegate.streamPriorityHandler(handler);
    return this;
  }
}
