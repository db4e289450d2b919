package dev.llmproxy.ui;

import dev.llmproxy.capture.Capture;
import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Backend;
import dev.llmproxy.config.ConfigWatcher;
import dev.llmproxy.config.PassthroughSettings;
import dev.llmproxy.config.ReloadResult;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.fallback.CooldownRegistry;
import dev.llmproxy.lifecycle.Drain;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/**
 * The running gateway's state for the Overview: the config in force (version, load time, checksum, warnings),
 * the last reload's outcome, every route's health (ok, cooling and for how long, or disabled and why), capture's
 * queue and drops, and requests in flight. Only names and numbers: never a key, a header value or a URL.
 */
final class GatewayState implements LiveState {

  private final SnapshotHolder snapshots;
  private final ConfigWatcher watcher;
  private final CooldownRegistry cooldowns;
  private final Capture capture;
  private final Drain drain;

  GatewayState(SnapshotHolder snapshots, ConfigWatcher watcher, CooldownRegistry cooldowns, Capture capture,
      Drain drain) {
    this.snapshots = snapshots;
    this.watcher = watcher;
    this.cooldowns = cooldowns;
    this.capture = capture;
    this.drain = drain;
  }

  @Override
  public JsonObject status() {
    Snapshot s = snapshots.current();
    JsonObject config = new JsonObject()
        .put("version", s.version())
        .put("loaded_at", s.loadedAt().toString())
        .put("file", s.configFile().toAbsolutePath().toString())
        .put("checksum", s.checksum())
        .put("listening_on", watcher.bound().toString())
        .put("warnings", new JsonArray(s.warnings()));
    JsonArray aliases = new JsonArray();
    for (Alias alias : s.aliases().values()) {
      JsonArray routes = new JsonArray();
      for (Route route : alias.routes()) {
        routes.add(route(s.backends().get(route.backend()), route));
      }
      aliases.add(new JsonObject().put("alias", alias.name()).put("routes", routes));
    }
    JsonObject captureState = new JsonObject()
        .put("enabled", s.capture().enabled())
        .put("store", capture.store().map(st -> st.type()).orElse(null))
        .put("queued", capture.queued())
        .put("dropped", capture.dropped());
    return new JsonObject()
        .put("mode", "proxy")
        .put("config", config)
        .put("last_reload", reload(watcher.lastResult()))
        .put("routes", aliases)
        .put("capture", captureState)
        .put("in_flight", drain.inFlight())
        .put("draining", drain.draining())
        .put("aliases", new JsonArray(s.aliases().keySet().stream().toList()))
        .put("backends", new JsonArray(s.backends().keySet().stream().toList()))
        .put("clients", clients(s));
  }

  /**
   * How clients reach the routes, by name only: the client keys' names (never a key), the routing rules in order,
   * and the transparent mode's backends (null when it is off).
   */
  private static JsonObject clients(Snapshot s) {
    JsonArray keys = new JsonArray();
    if (s.proxyApiKey() != null) {
      keys.add(Snapshot.DEFAULT_KEY_NAME);
    }
    s.clientKeys().keySet().forEach(keys::add);
    JsonArray rules = new JsonArray();
    s.routingRules().rules().forEach(r -> rules.add(new JsonObject().put("name", r.name()).put("alias", r.setModel())));
    PassthroughSettings p = s.passthrough();
    JsonObject passthrough = p.enabled()
        ? new JsonObject().put("openai", p.openai()).put("anthropic", p.anthropic()).put("bedrock", p.bedrock())
        : null;
    return new JsonObject().put("keys", keys).put("routing_rules", rules).put("passthrough", passthrough);
  }

  private JsonObject route(Backend backend, Route route) {
    JsonObject out = new JsonObject().put("backend", route.backend()).put("model", route.model())
        .put("priority", route.priority()).put("weight", route.weight());
    if (backend != null) {
      // What the route is called in: a client of the other protocol is translated for it (docs/translation.md).
      out.put("type", backend.type().name().toLowerCase(java.util.Locale.ROOT))
          .put("protocol", backend.speaksBoth() ? "any" : backend.protocol().id());
    }
    // The same key the attempt loop cools a route under (routing.Candidate.key()).
    String key = route.backend() + "/" + route.model();
    if (backend == null || !backend.enabled()) {
      return out.put("state", "disabled").put("reason", backend == null ? "unknown backend" : backend.disabledReason());
    }
    if (cooldowns.isCooling(key)) {
      Duration left = cooldowns.remaining(key);
      return out.put("state", left.isZero() ? "probing" : "cooling").put("cooling_ms", left.toMillis());
    }
    return out.put("state", "ok");
  }

  private static JsonObject reload(ReloadResult r) {
    if (r == null) {
      return null;
    }
    JsonObject out = new JsonObject()
        .put("outcome", r.outcome().name().toLowerCase(java.util.Locale.ROOT))
        .put("trigger", r.trigger())
        .put("at", r.at().toString())
        .put("version", r.version());
    if (r.diff() != null) {
      out.put("changes", r.diff().summary());
    }
    if (!r.problems().isEmpty()) {
      out.put("problems", new JsonArray(r.problems()));
    }
    return out;
  }
}
