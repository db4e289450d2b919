package dev.llmproxy.upstream;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.BackendType;
import dev.llmproxy.detection.TransportFailure;
import dev.llmproxy.echo.EchoBackend;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Sends requests to backends on one pooled HTTP client shared by all requests. Credentials are the backend's:
 * the client's own key never leaves the proxy, except to a {@code credentials: client} backend (the transparent
 * mode), which gets the client's key headers unchanged. A backend type that is not plain HTTP (Bedrock) adds its
 * steps to the call through its {@link BackendWire}: the URL, the signature, how its answer is presented.
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

  /** Connections to one backend (host and port) one event loop's client may open. */
  static final int MAX_CONNECTIONS_PER_BACKEND = 65_536;

  private final Vertx vertx;
  private final HttpClient http;
  private final Supplier<String> echoBaseUrl;
  private final Map<BackendType, BackendWire> wires;

  public UpstreamClient(Vertx vertx, Supplier<String> echoBaseUrl) {
    this(vertx, echoBaseUrl, Map.of());
  }

  /** @param wires the wire format of each backend type that is not plain HTTP (Bedrock) */
  public UpstreamClient(Vertx vertx, Supplier<String> echoBaseUrl, Map<BackendType, BackendWire> wires) {
    this.vertx = vertx;
    this.echoBaseUrl = echoBaseUrl;
    this.wires = Map.copyOf(wires);
    this.http = vertx.createHttpClient(
        new HttpClientOptions()
            .setKeepAlive(true)
            .setTcpNoDelay(true)
            .setDecompressionSupported(false)
            .setMaxInitialLineLength(16 * 1024)
            .setMaxHeaderSize(64 * 1024),
        // Never a queue: each request in flight holds at most one upstream connection, and requests are bounded by
        // the client connections (server.max_connections) and concurrency.max_requests, not by this pool. At 512 a
        // burst of streams waited for a connection (bench/compare.sh: 9,500 streams timed out in the pool).
        new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS_PER_BACKEND).setMaxWaitQueueSize(-1));
  }

  /**
   * Fails with an {@link UpstreamFailure} when the backend gave no usable answer, and with an {@link ApiError}
   * when the failure is the proxy's own (the built-in echo backend hit a bug): that error is the client's answer,
   * and never a reason to cool the route.
   *
   * @param cancelled completes when the answer is no longer wanted (the client left): the pending request is
   *     reset so the backend stops generating for nobody
   */
  public Future<UpstreamExchange> send(UpstreamRequest call, Future<Void> cancelled) {
    Backend backend = call.candidate().backend();
    Outgoing plain = new Outgoing(HttpMethod.POST, baseUrl(backend) + call.endpoint().upstreamPath(),
        headersFor(call, backend), call.body());
    BackendWire wire = wires.get(backend.type());
    if (wire == null) {
      return dispatch(plain, call.candidate(), call.connectTimeout(), call.headerTimeout(), cancelled, r -> r);
    }
    return wire.prepare(plain, call).recover(err -> Future.failedFuture(UpstreamFailure.from(err)))
        .compose(ready -> dispatch(ready, call.candidate(), call.connectTimeout(), call.headerTimeout(), cancelled,
            response -> wire.adapt(response, call)));
  }

  /**
   * Sends a request that is passed through as the client made it (method, path, body); only the backend's own
   * wire requirements (a signature) are applied. The answer is not adapted: its bytes are the backend's.
   */
  public Future<UpstreamExchange> sendRaw(Candidate candidate, Outgoing request, Duration connectTimeout,
      Duration headerTimeout, Future<Void> cancelled) {
    BackendWire wire = wires.get(candidate.backend().type());
    Future<Outgoing> ready = wire == null ? Future.succeededFuture(request)
        : wire.prepareRaw(request, candidate.backend()).recover(err -> Future.failedFuture(UpstreamFailure.from(err)));
    return ready.compose(out -> dispatch(out, candidate, connectTimeout, headerTimeout, cancelled, r -> r));
  }

  private Future<UpstreamExchange> dispatch(Outgoing out, Candidate candidate, Duration connectTimeout,
      Duration headerTimeout, Future<Void> cancelled, UnaryOperator<HttpClientResponse> adapt) {
    RequestOptions options = new RequestOptions()
        .setMethod(out.method())
        .setAbsoluteURI(out.uri())
        .setConnectTimeout(connectTimeout.toMillis())
        .setHeaders(out.headers());
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
      long headerTimer = vertx.setTimer(Math.max(1, headerTimeout.toMillis()), id -> {
        UpstreamFailure timeout = new UpstreamFailure(
            TransportFailure.HEADER_TIMEOUT, "no response within " + headerTimeout.toMillis() + " ms");
        result.tryFail(timeout);
        request.reset(0, timeout);
      });
      Future<HttpClientResponse> sending = out.body() == null ? request.send() : BodyWrites.send(request, out.body());
      sending.onComplete(sent -> {
        vertx.cancelTimer(headerTimer);
        if (sent.failed()) {
          result.tryFail(UpstreamFailure.from(sent.cause()));
          return;
        }
        if (candidate.backend().type() == BackendType.ECHO
            && sent.result().getHeader(EchoBackend.INTERNAL_FAULT_HEADER) != null) {
          request.reset();
          // The trace id travels in the request's headers (forwardedHeaders), however the request was built.
          result.tryFail(ApiError.of(ErrorKind.INTERNAL, "Internal proxy error: the built-in echo backend failed"
              + " (trace id " + out.headers().get("X-Trace-ID") + ")."));
          return;
        }
        // Paused so status and headers can be judged before a byte of the body is consumed.
        sent.result().pause();
        UpstreamExchange exchange = new UpstreamExchange(vertx, candidate, request, adapt.apply(sent.result()));
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
    MultiMap out = forwardedHeaders(call.clientHeaders(), backend, call.traceId(), call.forwardedFor());
    out.set("content-type", "application/json");
    return out;
  }

  /**
   * The client's headers as a backend receives them: without hop-by-hop headers and those the proxy sets itself,
   * with the trace id, the client address, and the backend's credentials — or, for a backend with
   * {@code credentials: client}, the client's own key headers, unchanged.
   */
  public static MultiMap forwardedHeaders(MultiMap in, Backend backend, String traceId, String forwardedFor) {
    MultiMap out = MultiMap.caseInsensitiveMultiMap();
    // Headers the client's Connection header names are per-connection too; read once, not once per header.
    java.util.List<String> connection = in.getAll("connection");
    for (Map.Entry<String, String> h : in) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      boolean clientKey = name.equals("authorization") || name.equals("x-api-key");
      if ((!NOT_FORWARDED.contains(name) || (clientKey && backend.forwardsClientKey()))
          && !HopByHopHeaders.isHopByHop(name, connection)) {
        out.add(h.getKey(), h.getValue());
      }
    }
    out.set("X-Trace-ID", traceId);
    if (forwardedFor != null) {
      out.set("X-Forwarded-For", forwardedFor);
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
