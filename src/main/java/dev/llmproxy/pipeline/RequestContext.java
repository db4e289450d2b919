package dev.llmproxy.pipeline;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one request accumulates on its way through the pipeline. Confined to the request's event loop,
 * so it needs no synchronisation. The snapshot is pinned when the request arrives and never re-read.
 */
public final class RequestContext {

  private final String traceId;
  private final RequestScope scope;
  private final Snapshot snapshot;
  private final Endpoint endpoint;
  private final HttpServerRequest request;
  private final String clientIp;
  private final List<AttemptRecord> attempts = new ArrayList<>();
  private final List<Runnable> onFinish = new ArrayList<>();

  private Buffer rawBody;
  private JsonObject body;
  private Alias alias;
  private boolean stream;
  private Candidate servedBy;
  private int status;
  private Instant firstByte;
  private long bytesOut;
  private int droppedEvents;
  private String errorReason;
  // Observability (issue 6): usage as reported by the upstream (-1: not reported), and transport failures.
  private long promptTokens = -1;
  private long completionTokens = -1;
  private final List<UpstreamError> upstreamErrors = new ArrayList<>();

  /**
   * @param clock the one time source of the request path; the request's deadline (the snapshot's
   *     {@code requestDeadline}) starts now. {@link ProxyPipeline#handle} wires the client's going away to the
   *     scope's cancellation.
   */
  public RequestContext(String traceId, Snapshot snapshot, Endpoint endpoint, HttpServerRequest request,
      String clientIp, Clock clock) {
    this.traceId = traceId;
    this.scope = new RequestScope(clock, snapshot.requestDeadline());
    this.snapshot = snapshot;
    this.endpoint = endpoint;
    this.request = request;
    this.clientIp = clientIp;
  }

  public String traceId() { return traceId; }
  /** Cancellation (client gone) and the deadline, on the injected clock. */
  public RequestScope scope() { return scope; }
  public Snapshot snapshot() { return snapshot; }
  public Endpoint endpoint() { return endpoint; }
  public Protocol protocol() { return endpoint.protocol(); }
  public HttpServerRequest request() { return request; }
  public HttpServerResponse response() { return request.response(); }
  public String clientIp() { return clientIp; }

  public Buffer rawBody() { return rawBody; }
  public void rawBody(Buffer rawBody) { this.rawBody = rawBody; }

  /** The client's JSON body, parsed once. Stages that change it (prompt injection) do so before any attempt. */
  public JsonObject body() { return body; }
  public void body(JsonObject body) { this.body = body; }

  public Alias alias() { return alias; }
  public void alias(Alias alias) { this.alias = alias; }

  public boolean stream() { return stream; }
  public void stream(boolean stream) { this.stream = stream; }

  public Candidate servedBy() { return servedBy; }
  public void servedBy(Candidate servedBy) { this.servedBy = servedBy; }

  public List<AttemptRecord> attempts() { return attempts; }
  public void recordAttempt(AttemptRecord record) { attempts.add(record); }

  public int status() { return status; }
  public void status(int status) { this.status = status; }

  public void markFirstByte() {
    if (firstByte == null) {
      firstByte = scope.clock().instant();
    }
  }

  /** From arrival to the first byte of the answer sent to the client; null when none was sent. */
  public Duration timeToFirstByte() {
    return firstByte == null ? null : Duration.between(scope.started(), firstByte);
  }

  public void addBytesOut(long n) { bytesOut += n; }

  /** Malformed stream events the relay dropped instead of forwarding (a sign of a misbehaving backend). */
  public void droppedEvents(int n) { droppedEvents = n; }
  public int droppedEvents() { return droppedEvents; }
  public long bytesOut() { return bytesOut; }

  /** The client went away before its response ended. */
  public boolean clientGone() { return scope.isCancelled(); }

  public String errorReason() { return errorReason; }
  public void errorReason(String errorReason) { this.errorReason = errorReason; }

  /** Tokens reported by the upstream; a negative count leaves the known value (streams report in parts). */
  public void usage(long prompt, long completion) {
    if (prompt >= 0) {
      promptTokens = prompt;
    }
    if (completion >= 0) {
      completionTokens = completion;
    }
  }

  public long promptTokens() { return promptTokens; }
  public long completionTokens() { return completionTokens; }

  /** A backend that produced no usable HTTP exchange (connect, reset, timeout), for metrics. */
  public record UpstreamError(String backend, String kind) {}

  public void recordUpstreamError(String backend, String kind) { upstreamErrors.add(new UpstreamError(backend, kind)); }
  public List<UpstreamError> upstreamErrors() { return upstreamErrors; }

  /** Registers cleanup that must run exactly once when the request ends, whatever the path (slots, permits). */
  public void onFinish(Runnable action) { onFinish.add(action); }

  List<Runnable> finishActions() { return onFinish; }

  /** Time since the request arrived. */
  public Duration elapsed() {
    return scope.elapsed();
  }
}
