package dev.llmproxy.pipeline;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Backend;
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
  /** Decodes the raw body when first asked for it; null once decoded, or when there is nothing to decode. */
  private java.util.function.Supplier<JsonObject> bodyDecoder;
  /** The bytes {@code [start, end)} of the raw body's model value, while the raw body is the request as sent. */
  private int[] rawModel;
  private Alias alias;
  private boolean stream;
  private Candidate servedBy;
  private int status;
  private Instant firstByte;
  private long bytesOut;
  private int droppedEvents;
  private boolean finished;
  private String errorReason;
  // Observability (issue 6): usage as reported by the upstream (-1: not reported), and transport failures.
  private long promptTokens = -1;
  private long completionTokens = -1;
  private final List<UpstreamError> upstreamErrors = new ArrayList<>();
  private boolean usagePartial;
  private StreamRecovery streamRecovery;
  // Client integration (issue 16): what the client asked for, the rule that changed it, the key it used, and
  // whether the request bypasses alias routing (the transparent mode).
  private String model;
  private String routingRule;
  private String clientKey;
  private PassthroughTarget passthrough;

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

  /**
   * The client's JSON body, decoded once, when first asked for: a request no stage needs to read is forwarded
   * with only its model replaced in its bytes ({@link #rawModel}). Not to be changed: see {@link #bodyToChange}.
   */
  public JsonObject body() {
    if (bodyDecoder != null) {
      body = bodyDecoder.get();
      bodyDecoder = null;
    }
    return body;
  }

  /** The body if a stage already decoded it, else null: for a reader that must not decode on the event loop. */
  public JsonObject decodedBody() {
    return bodyDecoder == null ? body : null;
  }

  public void body(JsonObject body) {
    this.body = body;
    this.bodyDecoder = null;
    this.rawModel = null;
  }

  /**
   * The raw body was checked to be one JSON object ({@code parse}); it is decoded by {@code decoder} if a stage
   * asks for it. {@code modelStart}/{@code modelEnd}: the bytes of its {@code model} value.
   */
  public void parsedBody(java.util.function.Supplier<JsonObject> decoder, int modelStart, int modelEnd) {
    this.body = null;
    this.bodyDecoder = decoder;
    this.rawModel = new int[] {modelStart, modelEnd};
  }

  /**
   * The body, for a stage that changes it (prompt injection) before any attempt: from then on the request is
   * made from the changed body, not from the client's bytes.
   */
  public JsonObject bodyToChange() {
    JsonObject changed = body();
    rawModel = null;
    return changed;
  }

  /**
   * Where the model value sits in {@link #rawBody}, as {@code {start, end}}, while those bytes are still the
   * request (no stage changed the body); null otherwise.
   */
  public int[] rawModel() { return rawModel == null ? null : rawModel.clone(); }

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

  /**
   * Nobody waits for more of this request's work: the client went away before its response ended, or the proxy
   * already answered it (a bug, see {@link #abandon}).
   */
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

  /** The token counts are a lower bound: part of the answer came from a leg that never reported its own. */
  public boolean usagePartial() { return usagePartial; }
  public void usagePartial(boolean partial) { this.usagePartial = partial; }

  /** What became of a stream that broke after content reached the client; null when none did. */
  public StreamRecovery streamRecovery() { return streamRecovery; }
  public void streamRecovery(StreamRecovery recovery) { this.streamRecovery = recovery; }

  /** A backend that produced no usable HTTP exchange (connect, reset, timeout), for metrics. */
  public record UpstreamError(String backend, String kind) {}

  public void recordUpstreamError(String backend, String kind) { upstreamErrors.add(new UpstreamError(backend, kind)); }
  public List<UpstreamError> upstreamErrors() { return upstreamErrors; }

  /**
   * Registers cleanup that must run exactly once when the request ends, whatever the path (slots, permits).
   * Registered after the request ended (work that was still running when a bug aborted it), it runs at once.
   */
  public void onFinish(Runnable action) {
    if (finished) {
      action.run();
    } else {
      onFinish.add(action);
    }
  }

  /** The cleanup registered so far; from now on, {@link #onFinish} runs cleanup at once. */
  List<Runnable> takeFinishActions() {
    finished = true;
    List<Runnable> actions = List.copyOf(onFinish);
    onFinish.clear();
    return actions;
  }

  /**
   * The proxy has already answered this request (a bug was caught and answered with a 500): whatever still runs
   * for it stops as if the client had left, so no upstream keeps generating, no fallback starts and no route is
   * judged (the scope's one cancellation signal).
   */
  void abandon() {
    scope.cancel();
  }

  /** The model alias the request is routed by: the client's {@code model}, or the one a routing rule set. */
  public String model() { return model; }
  public void model(String model) { this.model = model; }

  /** The name of the routing rule that chose the model, or null. */
  public String routingRule() { return routingRule; }
  public void routingRule(String routingRule) { this.routingRule = routingRule; }

  /** The name of the client key the request authenticated with ("default" for proxy_api_key), or null. */
  public String clientKey() { return clientKey; }
  public void clientKey(String clientKey) { this.clientKey = clientKey; }

  /**
   * A request passed through unchanged to one backend instead of being routed by alias.
   *
   * @param upstreamPath appended to the backend's URL, query string included
   */
  public record PassthroughTarget(Backend backend, String upstreamPath) {}

  /** Where the request is passed through to (the transparent mode), or null when it is routed by alias. */
  public PassthroughTarget passthrough() { return passthrough; }
  public void passthrough(PassthroughTarget passthrough) { this.passthrough = passthrough; }

  /** Time since the request arrived. */
  public Duration elapsed() {
    return scope.elapsed();
  }
}
