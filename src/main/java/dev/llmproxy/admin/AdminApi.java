package dev.llmproxy.admin;

import dev.llmproxy.config.ConfigWatcher;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.ingress.Authenticate;
import dev.llmproxy.ingress.ErrorResponses;
import dev.llmproxy.protocol.ApiError;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /admin/config} and {@code POST /admin/reload}. Both need the proxy key whenever the config sets
 * one, exactly like the model endpoints.
 */
public final class AdminApi {

  private final SnapshotHolder snapshots;
  private final ConfigWatcher watcher;

  private AdminApi(SnapshotHolder snapshots, ConfigWatcher watcher) {
    this.snapshots = snapshots;
    this.watcher = watcher;
  }

  public static void mount(Router router, SnapshotHolder snapshots, ConfigWatcher watcher) {
    AdminApi api = new AdminApi(snapshots, watcher);
    router.get("/admin/config").handler(api::config);
    router.post("/admin/reload").handler(api::reload);
  }

  private void config(RoutingContext rc) {
    Snapshot snapshot = snapshots.current();
    if (authorized(rc, snapshot)) {
      json(rc, ConfigView.of(snapshot, watcher.bound(), watcher.lastResult()));
    }
  }

  /** 200 whether the config was applied or refused: the reload itself ran; {@code outcome} says which. */
  private void reload(RoutingContext rc) {
    if (!authorized(rc, snapshots.current())) {
      return;
    }
    watcher.reload("admin").onComplete(ar -> {
      if (ar.succeeded()) {
        json(rc, ConfigView.result(ar.result()));
      } else {
        ErrorResponses.send(rc.response(), Protocol.OPENAI,
            ApiError.of(ErrorKind.INTERNAL, "Reload failed: " + ar.cause().getMessage()));
      }
    });
  }

  private static boolean authorized(RoutingContext rc, Snapshot snapshot) {
    if (admits(rc.request(), snapshot)) {
      return true;
    }
    ErrorResponses.send(rc.response(), Protocol.OPENAI,
        ApiError.of(ErrorKind.AUTHENTICATION, "Invalid or missing proxy API key."));
    return false;
  }

  /**
   * Who may use the operator APIs under {@code /admin} (this one and the capture query API): anyone when the
   * config requires no key, else only a request presenting {@code proxy_api_key}. A named client key is for
   * proxied requests; with client keys alone nobody may (its holder must not read every client's traffic).
   */
  public static boolean admits(HttpServerRequest request, Snapshot snapshot) {
    return !snapshot.authRequired()
        || (snapshot.proxyApiKey() != null && Authenticate.presents(request, snapshot.proxyApiKey()));
  }

  private static void json(RoutingContext rc, JsonObject body) {
    rc.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
        .end(body.encodePrettily());
  }
}
