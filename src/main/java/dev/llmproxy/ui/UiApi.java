package dev.llmproxy.ui;

import dev.llmproxy.capture.api.CaptureApi;
import dev.llmproxy.capture.api.QueryParams;
import dev.llmproxy.capture.store.RequestStore;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
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
 * capture query API's routes ({@link CaptureApi}, the {@code /admin/requests} shapes) mounted here; {@code series}
 * and {@code status} are the UI's own. Every route is behind {@link UiGate}; store calls block, so they run on
 * worker threads.
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
    CaptureApi capture = CaptureApi.mount(router, PREFIX, vertx, store, clock, rc -> gate.admit(rc, true));
    router.get(PREFIX + "/series").handler(rc -> capture.answer(rc, s -> series(rc, s)));
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
  private JsonObject series(RoutingContext rc, RequestStore s) throws SQLException {
    String window = new QueryParams(rc, clock).get("window");
    long now = clock.millis();
    long from;
    long to = now;
    if ("all".equalsIgnoreCase(window)) {
      Optional<long[]> range = s.range();
      if (range.isEmpty()) {
        from = now - ChartWindow.DEFAULT_WINDOW.toMillis();
      } else {
        from = range.get()[0];
        to = Math.max(range.get()[1] + 1, from + 1000);
      }
    } else {
      from = now - ChartWindow.parse(window).toMillis();
    }
    long bucket = ChartWindow.bucketFor(Duration.ofMillis(to - from)).toMillis();
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

  static void json(RoutingContext rc, JsonObject body) {
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store").end(body.toBuffer());
  }

  static void fail(RoutingContext rc, ApiError error) {
    CaptureApi.fail(rc, error);
  }
}
