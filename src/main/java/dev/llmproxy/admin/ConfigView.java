package dev.llmproxy.admin;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Backend;
import dev.llmproxy.config.ConfigDiff;
import dev.llmproxy.config.Durations;
import dev.llmproxy.config.ListenAddress;
import dev.llmproxy.config.ReloadResult;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Secret;
import dev.llmproxy.config.ServerSettings;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SystemPrompt;
import dev.llmproxy.net.Urls;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The active config as JSON for operators. Built from the compiled snapshot (what is really in force, defaults
 * included), never from the file; every {@link Secret} is shown masked and URL credentials are hidden.
 */
final class ConfigView {

  static final int PROMPT_PREVIEW_CHARS = 200;

  private ConfigView() {}

  static JsonObject of(Snapshot s, ListenAddress bound, ReloadResult lastResult) {
    JsonObject proxy = new JsonObject()
        .put("enable_system_prompt", s.proxy().enableSystemPrompt())
        .put("forward_client_ip", s.proxy().forwardClientIp())
        .put("max_body_bytes", s.proxy().maxBodyBytes())
        .put("system_prompts_dir", s.proxy().systemPromptsDir().toString())
        .put("watch_interval", Durations.format(s.reload().watchInterval()));
    JsonObject timeout = new JsonObject()
        .put("connect", Durations.format(s.timeouts().connect()))
        .put("response_header", Durations.format(s.timeouts().responseHeader()))
        .put("idle", Durations.format(s.timeouts().idle()))
        .put("total", Durations.format(s.timeouts().total()));
    JsonArray backends = new JsonArray();
    s.backends().values().forEach(b -> backends.add(backend(b)));
    JsonObject models = new JsonObject();
    s.aliases().values().forEach(a -> models.put(a.name(), alias(a, s.systemPrompts().forAlias(a.name()).orElse(null))));

    JsonObject config = new JsonObject()
        .put("listen", s.listen().toString())
        .put("proxy_api_key", mask(s.proxyApiKey()))
        .put("allow_unauthenticated", s.allowUnauthenticated())
        .put("proxy", proxy)
        .put("timeout", timeout)
        .put("backends", backends)
        .put("models", models)
        .put("server", server(s.server()));
    if (s.cluster().enabled()) {
      config.put("cluster", cluster(s.cluster()));
    }
    JsonObject active = new JsonObject()
        .put("version", s.version())
        .put("loaded_at", s.loadedAt().toString())
        .put("config_file", s.configFile().toAbsolutePath().toString())
        .put("checksum", s.checksum())
        .put("prompts_checksum", s.systemPrompts().filesChecksum())
        .put("listening_on", bound.toString())
        .put("warnings", new JsonArray(s.warnings()));
    if (!bound.equals(s.listen()) && s.listen().port() != 0) {
      active.put("restart_needed_for", "listen " + s.listen() + " (still listening on " + bound + ")");
    }
    return new JsonObject()
        .put("active", active)
        .put("last_reload", lastResult == null ? null : result(lastResult))
        .put("config", config);
  }

  static JsonObject result(ReloadResult r) {
    JsonObject out = new JsonObject()
        .put("outcome", r.outcome().name().toLowerCase())
        .put("trigger", r.trigger())
        .put("at", r.at().toString())
        .put("version", r.version())
        .put("checksum", r.configChecksum())
        .put("prompts_checksum", r.promptsChecksum());
    ConfigDiff diff = r.diff();
    if (diff != null) {
      out.put("changes", diff.summary());
    }
    if (!r.problems().isEmpty()) {
      out.put("problems", new JsonArray(r.problems()));
    }
    return out;
  }

  private static JsonObject server(ServerSettings server) {
    return new JsonObject()
        .put("idle_timeout", Durations.format(server.idleTimeout()))
        .put("header_timeout", Durations.format(server.headerTimeout()))
        .put("body_timeout", Durations.format(server.bodyTimeout()))
        .put("max_connections", server.maxConnections());
  }

  private static JsonObject backend(Backend b) {
    JsonObject headers = new JsonObject();
    b.headers().forEach((name, value) -> headers.put(name, value.masked()));
    return new JsonObject()
        .put("name", b.name())
        .put("type", b.type().name().toLowerCase())
        .put("url", b.url() == null ? null : Urls.withoutCredentials(b.url()))
        .put("api_key", mask(b.apiKey()))
        .put("protocol", b.protocol().id())
        .put("headers", headers)
        .put("enabled", b.enabled())
        .put("disabled_reason", b.disabledReason());
  }

  private static JsonObject alias(Alias a, SystemPrompt prompt) {
    JsonArray routes = new JsonArray();
    for (Route r : a.routes()) {
      routes.add(new JsonObject().put("backend", r.backend()).put("model", r.model())
          .put("priority", r.priority()).put("weight", r.weight()).put("prefill", r.prefill()));
    }
    JsonObject out = new JsonObject().put("routes", routes);
    if (a.midstreamRecovery() != null) {
      out.put("midstream_recovery", a.midstreamRecovery());
    }
    if (prompt != null) {
      String text = prompt.text();
      out.put("system_prompt", new JsonObject()
          .put("source", prompt.source())
          .put("mode", prompt.mode().id())
          .put("chars", text.length())
          .put("preview", text.length() <= PROMPT_PREVIEW_CHARS ? text : text.substring(0, PROMPT_PREVIEW_CHARS) + "…"));
    }
    return out;
  }

  private static JsonObject cluster(dev.llmproxy.config.ClusterSettings c) {
    return new JsonObject()
        .put("redis", new JsonObject()
            .put("url", Urls.withoutCredentials(c.redisUrl().value()))
            .put("key_prefix", c.keyPrefix())
            .put("timeout", Durations.format(c.timeout()))
            .put("on_unavailable", c.onUnavailable().name().toLowerCase()))
        .put("per_backend_limit", c.backendLimitScope().name().toLowerCase())
        .put("lease_ttl", Durations.format(c.leaseTtl()));
  }

  private static String mask(Secret secret) {
    return secret == null ? null : secret.masked();
  }
}
