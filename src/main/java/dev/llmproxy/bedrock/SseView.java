package dev.llmproxy.bedrock;

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
 * A Bedrock event stream seen as an Anthropic server-sent event stream, for an alias route: each decoded
 * {@code chunk} frame becomes {@code event: <type>} with Bedrock's JSON as its data, an exception frame an
 * Anthropic {@code error} event. Everything else (status, pause/resume, the connection) is the real response's,
 * so the relay's backpressure and timeouts work unchanged. A frame with a bad checksum fails the stream.
 */
final class SseView implements HttpClientResponse {

  private final HttpClientResponse delegate;
  private final String backend;
  private final BedrockStats stats;
  private final MultiMap headers;
  private final EventStreamDecoder decoder = new EventStreamDecoder();
  private Handler<Throwable> exceptionHandler = e -> {};

  SseView(HttpClientResponse delegate, String backend, BedrockStats stats) {
    this.delegate = delegate;
    this.backend = backend;
    this.stats = stats;
    this.headers = MultiMap.caseInsensitiveMultiMap().addAll(delegate.headers());
    headers.set("content-type", "text/event-stream");
    headers.remove("content-length");
  }

  @Override
  public HttpClientResponse handler(Handler<Buffer> handler) {
    if (handler == null) {
      delegate.handler(null);
      return this;
    }
    delegate.handler(chunk -> {
      List<EventStreamDecoder.Event> events;
      try {
        events = decoder.feed(chunk);
      } catch (EventStreamDecoder.DecodeException e) {
        stats.decodeError(backend, e.getMessage());
        exceptionHandler.handle(new UpstreamFailure(UpstreamFailure.Kind.RESET, e.getMessage()));
        return;
      }
      stats.frames(backend, events.size());
      if (!events.isEmpty()) {
        handler.handle(sse(events));
      }
    });
    return this;
  }

  static Buffer sse(List<EventStreamDecoder.Event> events) {
    Buffer out = Buffer.buffer();
    for (EventStreamDecoder.Event event : events) {
      if (event instanceof EventStreamDecoder.Chunk chunk) {
        out.appendString("event: " + chunk.type() + "\ndata: " + chunk.json() + "\n\n");
      } else if (event instanceof EventStreamDecoder.Failure failure) {
        JsonObject error = new JsonObject().put("type", "error").put("error", new JsonObject()
            .put("type", EventStreamDecoder.anthropicErrorType(failure.type()))
            .put("message", "Bedrock " + failure.type() + ": " + failure.message()));
        out.appendString("event: error\ndata: " + error.encode() + "\n\n");
      }
    }
    return out;
  }

  @Override
  public HttpClientResponse exceptionHandler(Handler<Throwable> handler) {
    this.exceptionHandler = handler == null ? e -> {} : handler;
    delegate.exceptionHandler(handler);
    return this;
  }

  @Override
  public HttpClientResponse endHandler(Handler<Void> endHandler) {
    delegate.endHandler(endHandler);
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
    throw new UnsupportedOperationException("read a Bedrock stream through handler()");
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
