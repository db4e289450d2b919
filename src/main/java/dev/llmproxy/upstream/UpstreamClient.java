package dev.llmproxy.upstream;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.BackendType;
import dev.llmproxy.detection.TransportFailure;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Sends requests to backends on one pooled HTTP client shared by all requests. Credentials are the backend's:
 * the client's own key never leaves the proxy.
 */
public final class UpstreamClient {

  /** Sent when an Anthropic client did not choose a version; the one every current Messages API feature needs. */
  static final String DEFAULT_ANTHROPIC_VERSION = "2023-06-01";

  /**
   * Client headers never forwarded: hop-by-hop ones are added by {@link HopByHopHeaders}; these are the
   * client's credentials, headers the proxy sets itself, and encodings it must be able to read.
   */
  private static final Set<String> NOT_FORWARDED = Set.of(
      "host", "content-length", "authorization", "x-api-key", "cookie", "x-forwarded-for", "x-trace-id",
      "accept-encoding", "expect", "forwarded", "x-real-ip");

  private final Vertx vertx;
  private final HttpClient http;
  private final Supplier<String> echoBaseUrl;

  public UpstreamClient(Vertx vertx, Supplier<String> echoBaseUrl) {
    this.vertx = vertx;
    this.echoBaseUrl = echoBaseUrl;
    this.http = vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            .setMaxInitialLineLength(16 * 1024)
            .setMaxHeaderSize(64 * 1024),
        new PoolOptions().setHttp1MaxSize(512).setMaxWaitQueueSize(-1));
  }

  /**
   * @param cancelled completes when the answer is no longer wanted (the client left): the pending request is
   *     reset so the backend stops generating for nobody
   */
  public Future<UpstreamExchange> send(UpstreamRequest call, Future<Void> cancelled) {
    Backend backend = call.candidate().backend();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(baseUrl(backend) + call.endpoint().upstreamPath())
        .setConnectTimeout(call.connectTimeout().toMillis())
        .setHeaders(headersFor(call, backend));
    Promise<UpstreamExchange> result = Promise.promise();
    http.request(options).onComplete(requested -> {
      if (requested.failed()) {
        result.fail(UpstreamFailure.from(requested.cause()));
        return;
      }
      var request = requested.result();
      cancelled.onSuccess(v -> {
        if (result.tryFail(new UpstreamFailure(TransportFailure.RESET, "cancelled: client disconnected"))) {
          request.reset();
        }
      });
      long headerTimer = vertx.setTimer(Math.max(1, call.headerTimeout().toMillis()), id -> {
        UpstreamFailure timeout = new UpstreamFailure(
            TransportFailure.HEADER_TIMEOUT, "no response within " + call.headerTimeout().toMillis() + " ms");
        result.tryFail(timeout);
        request.reset(0, timeout);
      });
      request.send(call.body()).onComplete(sent -> {
        vertx.cancelTimer(headerTimer);
        if (sent.failed()) {
          result.tryFail(UpstreamFailure.from(sent.cause()));
          return;
        }
        // Paused so status and headers can be judged before a byte of the body is consumed.
        sent.result().pause();
        UpstreamExchange exchange = new UpstreamExchange(vertx, call.candidate(), request, sent.result());
        if (!result.tryComplete(exchange)) {
          exchange.release();
        }
      });
    });
    return result.future();
  }

  private String baseUrl(Backend backend) {
    return backend.type() == BackendType.ECHO ? echoBaseUrl.get() : backend.url();
  }

  static MultiMap headersFor(UpstreamRequest call, Backend backend) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    MultiMap in = call.clientHeaders();
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_FORWARDED.contains(name) && !HopByHopHeaders.isHopByHop(name, in)) {
        out.add(h.getKey(), h.getValue());
      }
    }
    out.set("content-type", "application/json");
    out.set("X-Trace-ID", call.traceId());
    if (call.forwardedFor() != null) {
      out.set("X-Forwarded-For", call.forwardedFor());
    }
    if (backend.type() == BackendType.HTTP && backend.protocol() == Protocol.ANTHROPIC) {
      if (!out.contains("anthropic-version")) {
        out.set("anthropic-version", DEFAULT_ANTHROPIC_VERSION);
      }
      if (backend.apiKey() != null) {
        out.set("x-api-key", backend.apiKey().value());
      }
    } else if (backend.apiKey() != null) {
      out.set("Authorization", "Bearer " + backend.apiKey().value());
    }
    backend.headers().forEach((name, value) -> out.set(name, value.value()));
    return out;
  }

  public Future<Void> close() {
    return http.close();
  }
}
