package dev.llmproxy.pipeline;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.routing.RoutePlan;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one request accumulates on its way through the pipeline. Confined to the request's event loop,
 * so it needs no synchronisation. The snapshot is pinned when the request arrives and never re-read.
 */
public final class RequestContext {

  private final String traceId;
  private final long startNanos;
  private final Snapshot snapshot;
  private final Endpoint endpoint;
  private final HttpServerRequest request;
  private final String clientIp;
  private final List<AttemptRecord> attempts = new ArrayList<>();
  private final List<Runnable> onFinish = new ArrayList<>();
  private final List<Runnable> onClientGone = new ArrayList<>();

  private Buffer rawBody;
  private JsonObject body;
  private Alias alias;
  private boolean stream;
  private RoutePlan plan;
  private Candidate servedBy;
  private int status;
  private long firstByteNanos;
  private long bytesOut;
  private int droppedEvents;
  private boolean clientGone;
  private String errorReason;
  // Observability (issue 6): usage as reported by the upstream (-1: not reported), and transport failures.
  private long promptTokens = -1;
  private long completionTokens = -1;
  private final List<UpstreamError> upstreamErrors = new ArrayList<>();
  private ExchangeTap tap = ExchangeTap.NONE;

  public RequestContext(
      String traceId, Snapshot snapshot, Endpoint endpoint, HttpServerRequest request, String clientIp) {
    this.traceId = traceId;
    this.startNanos = System.nanoTime();
    this.snapshot = snapshot;
    this.endpoint = endpoint;
    this.request = request;
    this.clientIp = clientIp;
    // Fires only when the connection drops before the response ended: the client went away.
    request.response().closeHandler(v -> {
      clientGone = true;
      List.copyOf(onClientGone).forEach(Runnable::run);
    });
  }

  public String traceId() { return traceId; }
  public long startNanos() { return startNanos; }
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

  public RoutePlan plan() { return plan; }
  public void plan(RoutePlan plan) { this.plan = plan; }

  public Candidate servedBy() { return servedBy; }
  public void servedBy(Candidate servedBy) { this.servedBy = servedBy; }

  public List<AttemptRecord> attempts() { return attempts; }
  public void recordAttempt(AttemptRecord record) { attempts.add(record); }

  public int status() { return status; }
  public void status(int status) { this.status = status; }

  public void markFirstByte() {
    if (firstByteNanos == 0) {
      firstByteNanos = System.nanoTime();
    }
  }

  public long firstByteNanos() { return firstByteNanos; }

  public void addBytesOut(long n) { bytesOut += n; }

  /** Malformed stream events the relay dropped instead of forwarding (a sign of a misbehaving backend). */
  public void droppedEvents(int n) { droppedEvents = n; }
  public int droppedEvents() { return droppedEvents; }
  public long bytesOut() { return bytesOut; }

  public boolean clientGone() { return clientGone; }

  /** Runs when the client's connection closes before its response ended. */
  public void onClientGone(Runnable action) { onClientGone.add(action); }

  public void removeOnClientGone(Runnable action) { onClientGone.remove(action); }

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

  /** What the relay tells about the answer sent to the client (traffic capture); a no-op unless set. */
  public ExchangeTap tap() { return tap; }
  public void tap(ExchangeTap tap) { this.tap = tap; }

  /** Registers cleanup that must run exactly once when the request ends, whatever the path (slots, permits). */
  public void onFinish(Runnable action) { onFinish.add(action); }

  List<Runnable> finishActions() { return onFinish; }

  /** Milliseconds since the request arrived. */
  public long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
