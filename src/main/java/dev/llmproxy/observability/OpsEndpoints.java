package dev.llmproxy.observability;

import dev.llmproxy.config.SnapshotHolder;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.BooleanSupplier;

/**
 * The operator endpoints, unauthenticated like any health check (they reveal counts and config names, never
 * request content or keys):
 * <ul>
 *   <li>{@code GET /health}: readiness for load balancers. 200 {@code {"status":"ok"}}, or 503
 *       {@code {"status":"draining"}} from the first termination signal on.
 *   <li>{@code GET /livez}: liveness and a glance at the load, always 200 while the process serves:
 *       {@code {status, in_flight, queued, draining, config_loaded_at}}, plus {@code cluster_mode}
 *       ({@code redis} or {@code local}) in a fleet.
 *   <li>{@code GET /metrics}: Prometheus text format.
 * </ul>
 */
public final class OpsEndpoints {

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private OpsEndpoints() {}

  /** @param draining whether shutdown has begun (the in-flight count comes from {@link Metrics#inFlight}) */
  public static void mount(Router router, SnapshotHolder snapshots, Metrics metrics, BooleanSupplier draining) {
    router.get("/health").handler(rc -> {
      boolean now = draining.getAsBoolean();
      json(rc, now ? 503 : 200, new JsonObject().put("status", now ? "draining" : "ok"));
    });
    router.get("/livez").handler(rc -> {
      boolean now = draining.getAsBoolean();
      JsonObject body = new JsonObject()
          .put("status", now ? "draining" : "ok")
          .put("in_flight", metrics.inFlight())
          .put("queued", metrics.queueDepth())
          .put("draining", now)
          .put("config_loaded_at", snapshots.current().loadedAt().toString());
      String clusterMode = metrics.clusterMode();
      if (clusterMode != null) {
        body.put("cluster_mode", clusterMode);  // redis (shared) or local; absent in a single process
      }
      json(rc, 200, body);
    });
    router.get("/metrics").handler(rc -> rc.response()
        .putHeader("Content-Type", PROMETHEUS_TEXT)
        .end(metrics.scrape()));
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store").end(body.toBuffer());
  }
}
