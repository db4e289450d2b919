package dev.llmproxy.capture.api;

import dev.llmproxy.admin.AdminApi;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.config.SnapshotHolder;
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
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The query API over the capture store (JSON shapes in docs/capture.md), under {@code /admin} for the explorer
 * and scripts, behind the proxy key; the web UI mounts the same routes under its own prefix, behind its own door.
 * Store calls block, so they run on worker threads.
 *
 * <ul>
 *   <li>{@code GET {prefix}/requests}: newest first; the filters of {@link QueryParams#filter()}; {@code limit}
 *       and {@code cursor} for pagination.
 *   <li>{@code GET {prefix}/requests/{id}}: one whole record.
 *   <li>{@code GET {prefix}/sessions}: sessions, most recently active first; same filters and pagination.
 *   <li>{@code GET {prefix}/stats}: counts, error rate, p50/p95 latency and tokens, total and per alias and
 *       backend, over {@code since}..{@code until} (default: the last 24 hours).
 * </ul>
 */
public final class CaptureApi {

  static final Duration DEFAULT_STATS_WINDOW = Duration.ofHours(24);

  /** Who may read the store: answers a caller it refuses itself (401, 403, a redirect) and returns false. */
  @FunctionalInterface
  public interface Door {
    boolean admit(RoutingContext rc);
  }

  /** A question to the store, asked on a worker thread; an {@link ApiError} it throws is the answer. */
  @FunctionalInterface
  public interface Question {
    JsonObject ask(RequestStore store) throws SQLException;
  }

  private final Vertx vertx;
  private final Optional<RequestStore> store;
  private final Clock clock;
  private final Door door;

  private CaptureApi(Vertx vertx, Optional<RequestStore> store, Clock clock, Door door) {
    this.vertx = vertx;
    this.store = store;
    this.clock = clock;
    this.door = door;
  }

  /** Under {@code /admin}, behind the proxy key ({@link AdminApi#admits}). */
  public static void mount(Router router, Vertx vertx, SnapshotHolder snapshots, Optional<RequestStore> store,
      Clock clock) {
    mount(router, "/admin", vertx, store, clock, rc -> {
      if (AdminApi.admits(rc.request(), snapshots.current())) {
        return true;
      }
      fail(rc, ApiError.of(ErrorKind.AUTHENTICATION, "Invalid or missing proxy API key."));
      return false;
    });
  }

  /** @return the API, to {@link #answer} further questions behind the same door */
  public static CaptureApi mount(Router router, String prefix, Vertx vertx, Optional<RequestStore> store,
      Clock clock, Door door) {
    CaptureApi api = new CaptureApi(vertx, store, clock, door);
    router.get(prefix + "/requests").handler(rc -> api.answer(rc, s -> {
      QueryParams p = new QueryParams(rc, clock);
      return s.requests(p.filter(), p.get("cursor"), p.limit()).toJson();
    }));
    router.get(prefix + "/requests/:id").handler(rc -> api.answer(rc, s -> {
      String id = rc.pathParam("id");
      return s.record(id).map(JsonObject::new)
          .orElseThrow(() -> ApiError.of(ErrorKind.NOT_FOUND, "No captured request with id \"" + id + "\"."));
    }));
    router.get(prefix + "/sessions").handler(rc -> api.answer(rc, s -> {
      QueryParams p = new QueryParams(rc, clock);
      return s.sessions(p.filter(), p.get("cursor"), p.limit()).toJson();
    }));
    router.get(prefix + "/stats").handler(rc -> api.answer(rc, s -> api.stats(rc, s)));
    return api;
  }

  private JsonObject stats(RoutingContext rc, RequestStore s) throws SQLException {
    QueryParams p = new QueryParams(rc, clock);
    long until = p.time("until", clock.millis());
    long since = p.time("since", until - DEFAULT_STATS_WINDOW.toMillis());
    if (since >= until) {
      throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "since must be before until.", "since");
    }
    return s.stats(since, until);
  }

  /**
   * Answers {@code rc} with the store's answer to {@code question}, once the door has admitted the caller: on a
   * worker thread; a bad parameter is a 400, a store that cannot answer a 503, and no store at all a 404.
   */
  public void answer(RoutingContext rc, Question question) {
    if (!door.admit(rc)) {
      return;
    }
    if (store.isEmpty()) {
      fail(rc, ApiError.of(ErrorKind.NOT_FOUND, "There is no capture store to read (capture.store.type is none, "
          + "or there was no capture: section at start); see docs/capture.md."));
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

  /** An error in the OpenAI shape, never cached. */
  public static void fail(RoutingContext rc, ApiError error) {
    rc.response().putHeader("Cache-Control", "no-store");
    ErrorResponses.send(rc.response(), Protocol.OPENAI, error);
  }
}
