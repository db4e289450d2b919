package dev.llmproxy.ui;

import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The JSON the pages read, under {@code /ui/api} (shapes in docs/ui.md). Lists, records and statistics are the
 * capture store's ({@code /admin/requests} shapes); {@code series} and {@code status} are the UI's own. Every
 * route is behind {@link UiGate}; store calls block, so they run on worker threads.
 */
final class UiApi {

  static final String PREFIX = WebUi.ROOT + "/api";

  private final UiGate gate;
  private final Optional<RequestStore> store;
  private final LiveState live;
  private final Clock clock;

  UiApi(UiGate gate, Optional<RequestStore> store, LiveState live, Clock clock) {
    this.gate = gate;
    this.store = store;
    this.live = live;
    this.clock = clock;
  }

  void mount(Router router, Vertx vertx) {
    router.get(PREFIX + "/requests").handler(rc -> ask(rc, vertx, s -> {
      UiParams p = new UiParams(rc, clock);
      return s.requests(p.filter(), p.get("cursor"), p.limit()).toJson();
    }));
    router.get(PREFIX + "/requests/:id").handler(rc -> ask(rc, vertx, s -> {
      String id = rc.pathParam("id");
      return s.record(id).map(JsonObject::new)
          .orElseThrow(() -> ApiError.of(ErrorKind.NOT_FOUND, "No captured request with id \"" + id + "\"."));
    }));
    router.get(PREFIX + "/sessions").handler(rc -> ask(rc, vertx, s -> {
      UiParams p = new UiParams(rc, clock);
      return s.sessions(p.filter(), p.get("cursor"), p.limit()).toJson();
    }));
    router.get(PREFIX + "/stats").handler(rc -> ask(rc, vertx, s -> {
      UiParams p = new UiParams(rc, clock);
      long until = p.time("until", clock.millis());
      long since = p.time("since", until - Duration.ofHours(24).toMillis());
      if (since >= until) {
        throw ApiError.withParam(ErrorKind.INVALID_REQUEST, "since must be before until.", "since");
      }
      return s.stats(since, until);
    }));
    router.get(PREFIX + "/series").handler(rc -> ask(rc, vertx, s -> series(new UiParams(rc, clock), s)));
    router.get(PREFIX + "/status").handler(rc -> status(rc, vertx));
    router.route(PREFIX + "/*").handler(rc -> {
      if (gate.admit(rc, true)) {
        fail(rc, ApiError.of(ErrorKind.NOT_FOUND, "Unknown UI API " + rc.request().method() + " "
            + rc.request().path() + "."));
      }
    });
  }

  /**
   * {@code window} ending now (or {@code all}: the store's whole span), cut into buckets of a width that keeps
   * a chart within about 120 points and aligned to the width, so a refresh moves whole buckets.
   */
  private JsonObject series(UiParams p, RequestStore s) throws SQLException {
    long now = clock.millis();
    long from;
    long to = now;
    if ("all".equalsIgnoreCase(p.get("window"))) {
      Optional<long[]> range = s.range();
      if (range.isEmpty()) {
        from = now - Duration.ofHours(1).toMillis();
      } else {
        from = range.get()[0];
        to = Math.max(range.get()[1] + 1, from + 1000);
      }
    } else {
      from = now - p.window().toMillis();
    }
    long bucket = UiParams.bucketFor(Duration.ofMillis(to - from)).toMillis();
    long since = Math.floorDiv(from, bucket) * bucket;
    long until = (Math.floorDiv(to - 1, bucket) + 1) * bucket;
    return s.series(since, until, bucket);
  }

  private void status(RoutingContext rc, Vertx vertx) {
    if (!gate.admit(rc, true)) {
      return;
    }
    UiAccess access = gate.access();
    Callable<JsonObject> work = () -> {
      JsonObject out = live.status().put("auth", access.mode().id()).put("store", store.isPresent());
      if (store.isPresent()) {
        try {
          store.get().range().ifPresent(r -> out.put("data_range", new JsonObject()
              .put("first_at", Instant.ofEpochMilli(r[0]).toString())
              .put("last_at", Instant.ofEpochMilli(r[1]).toString())));
        } catch (SQLException e) {
          out.put("store_error", e.getMessage());
        }
      }
      return out;
    };
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        json(rc, ar.result());
      } else {
        fail(rc, ApiError.of(ErrorKind.INTERNAL, "UI status failed: " + ar.cause()));
      }
    });
  }

  /** A store question, asked on a worker thread once the caller is admitted. */
  private interface Question {
    JsonObject ask(RequestStore store) throws SQLException;
  }

  private void ask(RoutingContext rc, Vertx vertx, Question question) {
    if (!gate.admit(rc, true)) {
      return;
    }
    if (store.isEmpty()) {
      fail(rc, ApiError.of(ErrorKind.NOT_FOUND, "There is no capture store to read (capture.store.type is none, or "
          + "there was no capture: section at start); see docs/capture.md."));
      return;
    }
    Callable<JsonObject> work = () -> question.ask(store.get());
    vertx.executeBlocking(work, false).onComplete(ar -> {
      if (ar.succeeded()) {
        json(rc, ar.result());
      } else if (ar.cause() instanceof ApiError error) {
        fail(rc, error);
      } else if (ar.cause() instanceof IllegalArgumentException bad) {
        fail(rc, ApiError.of(ErrorKind.INVALID_REQUEST, bad.getMessage()));
      } else if (ar.cause() instanceof SQLException e) {
        fail(rc, ApiError.of(ErrorKind.UNAVAILABLE, "The capture store cannot answer now: " + e.getMessage()));
      } else {
        fail(rc, ApiError.of(ErrorKind.INTERNAL, "UI query failed: " + ar.cause()));
      }
    });
  }

  static void json(RoutingContext rc, JsonObject body) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.toBuffer());
  }

  static void fail(RoutingContext rc, ApiError error) {
    rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    ErrorResponses.send(rc.response(), Protocol.OPENAI, error);
  }
}
