package dev.llmproxy.capture.api;

import dev.llmproxy.capture.store.RequestFilter;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.Durations;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.ingress.Authenticate;
import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The query API over the capture store, for the explorer and scripts (JSON shapes in docs/capture.md). Every
 * route needs the proxy key whenever the config sets one. Store calls block, so they run on worker threads.
 *
 * <ul>
 *   <li>{@code GET /admin/requests}: newest first; filters {@code q} (full text), {@code alias}, {@code backend},
 *       {@code model}, {@code status} (429 | 5xx | error), {@code session}, {@code trace_id}, {@code stream},
 *       {@code since}, {@code until}; {@code limit} and {@code cursor} for pagination.
 *   <li>{@code GET /admin/requests/{id}}: one whole record.
 *   <li>{@code GET /admin/sessions}: sessions, most recently active first; same filters and pagination.
 *   <li>{@code GET /admin/stats}: counts, error rate, p50/p95 latency and tokens, total and per alias and
 *       backend, over {@code since}..{@code until} (default: the last 24 hours).
 * </ul>
 */
public final class CaptureApi {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;
  static final Duration DEFAULT_STATS_WINDOW = Duration.ofHours(24);

  private final Vertx vertx;
  private final SnapshotHolder snapshots;
  private final Optional<RequestStore> store;
  private final Clock clock;

  private CaptureApi(Vertx vertx, SnapshotHolder snapshots, Optional<RequestStore> store, Clock clock) {
    this.vertx = vertx;
    this.snapshots = snapshots;
    this.store = store;
    this.clock = clock;
  }

  public static void mount(Router router, Vertx vertx, SnapshotHolder snapshots, Optional<RequestStore> store,
      Clock clock) {
    CaptureApi api = new CaptureApi(vertx, snapshots, store, clock);
    router.get("/admin/requests").handler(api::requests);
    router.get("/admin/requests/:id").handler(api::request);
    router.get("/admin/sessions").handler(api::sessions);
    router.get("/admin/stats").handler(api::stats);
  }

  private void requests(RoutingContext rc) {
    query(rc, s -> s.requests(filter(rc), param(rc, "cursor"), limit(rc)).toJson());
  }

  private void request(RoutingContext rc) {
    String id = rc.pathParam("id");
    query(rc, s -> s.record(id).map(JsonObject::new)
        .orElseThrow(() -> ApiError.of(ErrorKind.NOT_FOUND, "No captured request with id \"" + id + "\".")));
  }

  private void sessions(RoutingContext rc) {
    query(rc, s -> s.sessions(filter(rc), param(rc, "cursor"), limit(rc)).toJson());
  }

  private void stats(RoutingContext rc) {
    query(rc, s -> {
      long until = time(rc, "until", clock.millis());
      long since = time(rc, "since", until - DEFAULT_STATS_WINDOW.toMillis());
      if (since >= until) {
        throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "since must be before until.", "since");
      }
      return s.stats(since, until);
    });
  }

  /** A store question, asked on a worker thread once the caller is authorised and the parameters are valid. */
  private interface Question {
    JsonObject ask(RequestStore store) throws SQLException;
  }

  private void query(RoutingContext rc, Question question) {
    Snapshot snapshot = snapshots.current();
    // Only proxy_api_key opens it, as /admin: with client keys alone nobody may (a client key's holder must not
    // read every client's traffic), and there is no proxy key to compare with.
    if (snapshot.authRequired()
        && (snapshot.proxyApiKey() == null || !Authenticate.presents(rc.request(), snapshot.proxyApiKey()))) {
      fail(rc, ApiError.of(ErrorKind.AUTHENTICATION, "Invalid or missing proxy API key."));
      return;
    }
    if (store.isEmpty()) {
      fail(rc, ApiError.of(ErrorKind.NOT_FOUND,
          "The capture store is off (capture.store.type is none, or there is no capture: section at start)."));
      return;
    }
    Callable<JsonObject> work = () -> question.ask(store.get());
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        rc.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
            .end(ar.result().toBuffer());
      } else if (ar.cause() instanceof ApiError error) {
        fail(rc, error);
      } else if (ar.cause() instanceof IllegalArgumentException bad) {
        fail(rc, ApiError.of(ErrorKind.INVALID_REQUEST, bad.getMessage()));
      } else if (ar.cause() instanceof SQLException e) {
        fail(rc, ApiError.of(ErrorKind.UNAVAILABLE, "The capture store cannot answer now: " + e.getMessage()));
      } else {
        fail(rc, ApiError.of(ErrorKind.INTERNAL, "Capture query failed: " + ar.cause()));
      }
    });
  }

  private RequestFilter filter(RoutingContext rc) {
    String stream = param(rc, "stream");
    Boolean streamFilter = null;
    if (stream != null) {
      switch (stream.toLowerCase(Locale.ROOT)) {
        case "true" -> streamFilter = true;
        case "false" -> streamFilter = false;
        default -> throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "stream must be true or false.", "stream");
      }
    }
    Long since = param(rc, "since") == null ? null : time(rc, "since", 0);
    Long until = param(rc, "until") == null ? null : time(rc, "until", 0);
    return new RequestFilter(param(rc, "q"), param(rc, "alias"), param(rc, "backend"), param(rc, "model"),
        param(rc, "status"), param(rc, "session"), param(rc, "trace_id"), streamFilter, since, until);
  }

  private static int limit(RoutingContext rc) {
    String text = param(rc, "limit");
    if (text == null) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "limit must be a whole number from 1 to " + MAX_LIMIT + ".",
        "limit");
  }

  /** An instant (2025-01-31T12:00:00Z), epoch milliseconds, or a duration back from now (15m, 24h). */
  private long time(RoutingContext rc, String name, long fallback) {
    String text = param(rc, name);
    if (text == null) {
      return fallback;
    }
    try {
      if (text.chars().allMatch(Character::isDigit) && text.length() >= 10) {
        return Long.parseLong(text);
      }
      if (text.contains("T")) {
        return Instant.parse(text).toEpochMilli();
      }
      return clock.millis() - Durations.parse(text).toMillis();
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw ApiError.withParam(ErrorKind.INVALID_REQUEST, name + " must be an instant (2025-01-31T12:00:00Z), "
          + "epoch milliseconds, or a duration back from now (15m, 24h); got \"" + text + "\".", name);
    }
  }

  private static String param(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static void fail(RoutingContext rc, ApiError error) {
    ErrorResponses.send(rc.response(), Protocol.OPENAI, error);
  }
}
