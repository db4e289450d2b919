package dev.llmproxy.passthrough;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.observability.LogFields;
import dev.llmproxy.observability.RequestLog;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.upstream.Outgoing;
import dev.llmproxy.upstream.UpstreamClient;
import dev.llmproxy.upstream.UpstreamFailure;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pipeline stage: serves a request marked for passthrough ({@link RequestContext#passthrough()}) and ends the
 * pipeline; any other request goes on to alias routing. The request is sent as the client made it — method,
 * path, query, headers but hop-by-hop ones, body bytes — to the target backend, within the usual connect,
 * response-header, idle and total timeouts, and the answer is relayed byte for byte.
 */
public final class Passthrough implements Stage {

  private static final Logger LOG = LoggerFactory.getLogger("llmproxy.forward");

  private final Vertx vertx;
  private final UpstreamClient upstream;
  private final List<RelayTap.Factory> taps;

  /** @param taps readers of a copy of the answer besides token usage (e.g. Bedrock's eventstream decoder) */
  public Passthrough(Vertx vertx, UpstreamClient upstream, List<RelayTap.Factory> taps) {
    this.vertx = vertx;
    this.upstream = upstream;
    List<RelayTap.Factory> all = new ArrayList<>(taps);
    all.add(new UsageTaps());
    this.taps = List.copyOf(all);
  }

  @Override
  public String name() {
    return "passthrough";
  }

  @Override
  public Future<Void> apply(RequestContext ctx) {
    RequestContext.PassthroughTarget target = ctx.passthrough();
    if (target == null) {
      return Future.succeededFuture();
    }
    ctx.markServed();
    Snapshot snapshot = ctx.snapshot();
    Backend backend = target.backend();
    if (!backend.enabled()) {
      return Future.failedFuture(ApiError.of(ErrorKind.UNAVAILABLE, "Passthrough backend \"" + backend.name()
          + "\" is disabled: " + backend.disabledReason() + "."));
    }
    String model = ctx.model() == null ? "-" : ctx.model();
    Candidate candidate = new Candidate(ctx.alias() == null ? model : ctx.alias().name(), backend,
        new Route(backend.name(), model, 0, 1));
    Duration remaining = remaining(ctx);
    MultiMap headers = UpstreamClient.forwardedHeaders(ctx.request().headers(), backend, ctx.traceId(),
        snapshot.proxy().forwardClientIp() ? ctx.clientIp() : null);
    String contentType = ctx.request().getHeader("content-type");
    if (contentType != null) {
      headers.set("content-type", contentType);
    }
    HttpMethod method = ctx.request().method();
    Buffer body = ctx.rawBody() == null || (ctx.rawBody().length() == 0 && !hasBody(method)) ? null : ctx.rawBody();
    Outgoing request = new Outgoing(method, backend.url() + target.upstreamPath(), headers, body);
    long started = System.nanoTime();
    Promise<Void> clientLeft = Promise.promise();
    Runnable cancel = clientLeft::tryComplete;
    ctx.onClientGone(cancel);
    return upstream.sendRaw(candidate, request, min(snapshot.timeouts().connect(), remaining),
            min(snapshot.timeouts().responseHeader(), remaining), clientLeft.future())
        .transform(sent -> {
          ctx.removeOnClientGone(cancel);
          if (sent.failed()) {
            UpstreamFailure failure = UpstreamFailure.from(sent.cause());
            ctx.recordUpstreamError(backend.name(), failure.kind().name().toLowerCase(Locale.ROOT));
            ctx.recordAttempt(record(candidate, 0, failure.getMessage(), started));
            RequestLog.warn(LOG, ctx, "passthrough failed", kv(LogFields.BACKEND, backend.name()),
                kv(LogFields.PATH, target.upstreamPath()), kv(LogFields.FAILURE_KIND, failure.kind().name()),
                kv(LogFields.CAUSE, failure.getMessage()));
            boolean timeout = failure.kind().name().endsWith("TIMEOUT");
            return Future.failedFuture(ApiError.of(timeout ? ErrorKind.UPSTREAM_TIMEOUT : ErrorKind.UPSTREAM_FAILED,
                "Passthrough to backend \"" + backend.name() + "\" failed: " + failure.getMessage() + "."));
          }
          var exchange = sent.result();
          ctx.recordAttempt(record(candidate, exchange.status(), "passthrough", started));
          List<RelayTap> readers = new ArrayList<>();
          taps.forEach(f -> f.tap(ctx, exchange).ifPresent(readers::add));
          return RawRelay.relay(vertx, ctx, exchange, readers, snapshot.timeouts().idle(), remaining(ctx));
        });
  }

  private static boolean hasBody(HttpMethod method) {
    return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
  }

  private static AttemptRecord record(Candidate c, int status, String outcome, long startedNanos) {
    return new AttemptRecord(c.alias(), c.backend().name(), c.model(), status, outcome,
        (System.nanoTime() - startedNanos) / 1_000_000);
  }

  private static Duration remaining(RequestContext ctx) {
    Duration left = ctx.snapshot().requestDeadline().minusNanos(System.nanoTime() - ctx.startNanos());
    return left.isNegative() ? Duration.ofMillis(1) : left;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
