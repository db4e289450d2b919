package dev.llmproxy.config;

import dev.llmproxy.detection.DetectionRules;
import dev.llmproxy.protocol.Protocol;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the parsed YAML tree into a {@link Snapshot}, or a {@link ConfigException} that lists every problem
 * with its YAML path. Pure: no I/O besides resolving paths, so it is cheap to unit test.
 */
final class ConfigCompiler {

  static final Set<String> TOP_LEVEL_KEYS = Set.of(
      "listen", "proxy_api_key", "allow_unauthenticated", "proxy", "timeout", "backends", "models", "detection",
      "fallback", "rate_limit", "concurrency", "trusted_proxies", "logging", "shutdown", "cluster",
      "client_keys", "passthrough", "routing_rules",
      "server",
      "capture", "ui");
  private static final Set<String> BACKEND_KEYS =
      Set.of("name", "type", "url", "api_key", "enabled", "protocol", "headers", "detection",
          "translation", "demote_nonstreaming", "credentials",
          "region", "profile", "access_key_id", "secret_access_key", "session_token");
  private static final Set<String> ROUTE_KEYS =
      Set.of("backend", "model", "priority", "weight", "prefill", "demote_nonstreaming");
  private static final Set<String> ALIAS_KEYS =
      Set.of("routes", "system_prompt", "system_prompt_mode", "midstream_recovery");
  public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;

  private final EnvExpander env;

  public ConfigCompiler(EnvExpander env) {
    this.env = env;
  }

  public Snapshot compile(Path file, Object tree, String checksum, long version) throws ConfigException {
    return compile(file, tree, checksum, version, PromptFiles::empty);
  }

  /** @param promptFiles reads the system prompt directory the config names (the caller's I/O, not ours) */
  public Snapshot compile(Path file, Object tree, String checksum, long version,
      java.util.function.Function<Path, PromptFiles> promptFiles) throws ConfigException {
    return compile(file, tree, checksum, version, promptFiles, new ConfigProblems());
  }

  /** @param problems collects this compile's problems (and, for tests, the keys each mapping may have) */
  Snapshot compile(Path file, Object tree, String checksum, long version,
      java.util.function.Function<Path, PromptFiles> promptFiles, ConfigProblems problems) throws ConfigException {
    ConfigNode root = new ConfigNode("", tree, problems, env);
    root.warnUnknownKeys(TOP_LEVEL_KEYS);

    Path baseDir = file.toAbsolutePath().getParent();
    ListenAddress listen = listen(root.get("listen"));
    Secret proxyKey = optionalSecret(root.get("proxy_api_key"));
    boolean allowUnauthenticated = root.get("allow_unauthenticated").bool(false);
    if (proxyKey == null && !allowUnauthenticated && listen != null && !listen.isLoopback()) {
      root.get("listen").error("binding " + listen.host() + " (not a loopback address) requires proxy_api_key;"
          + " set allow_unauthenticated: true to serve without a key on purpose");
    }
    ProxySettings proxy = proxy(root.get("proxy"), baseDir);
    Timeouts timeouts = timeouts(root.get("timeout"));
    DetectionRules detection = DetectionConfig.compile(root.get("detection"), DetectionRules.defaults());
    Map<String, Backend> backends = backends(root.get("backends"), detection);
    PassthroughSettings passthrough = ClientSections.passthrough(root.get("passthrough"), backends);
    Map<String, Alias> aliases = aliases(root.get("models"), backends, passthrough.enabled());
    SystemPrompts prompts = SystemPromptCompiler.compile(
        root.get("models"), proxy, aliases.keySet(), promptFiles.apply(proxy.systemPromptsDir()));
    ReloadSettings reload = ReloadSettings.compile(root.get("proxy"));
    FallbackSettings fallback = FallbackSettings.compile(root.get("fallback"), aliases.keySet());
    RateLimitSettings rateLimit = TrafficSections.rateLimit(root.get("rate_limit"), aliases.keySet());
    ConcurrencySettings concurrency = TrafficSections.concurrency(root.get("concurrency"));
    TrustedProxies trustedProxies = TrafficSections.trustedProxies(root.get("trusted_proxies"));
    LoggingSettings logging = LoggingSettings.compile(root.get("logging"), baseDir);
    ShutdownSettings shutdown = ShutdownSettings.compile(root.get("shutdown"));
    ClusterSettings cluster = ClusterSettings.compile(root.get("cluster"));
    Map<String, Secret> clientKeys = ClientSections.clientKeys(root.get("client_keys"), proxyKey);
    var routingRules = ClientSections.routingRules(root.get("routing_rules"), aliases.keySet(),
        ClientSections.keyNames(proxyKey, clientKeys));
    if (proxyKey != null || !clientKeys.isEmpty()) {
      backends.values().stream().filter(Backend::forwardsClientKey).forEach(b -> root.get("backends").error(
          "backend \"" + b.name() + "\" has credentials: client, which forwards the client's own key and cannot be"
              + " combined with proxy_api_key or client_keys (clients would send the proxy's key)"));
    }
    ServerSettings server = ServerSettings.compile(root.get("server"));
    CaptureSettings capture = CaptureSettings.compile(root.get("capture"), baseDir);
    UiSettings ui = UiSettings.compile(root.get("ui"));

    if (problems.hasErrors()) {
      throw new ConfigException(file.toString(), problems.errors(), problems.warnings(), problems.unknownKeys());
    }
    return new Snapshot(version, Instant.now(), file, checksum, listen, proxyKey, allowUnauthenticated,
        proxy, timeouts, backends, aliases, problems.warnings(), prompts, reload, detection, fallback, rateLimit,
        concurrency, trustedProxies, logging, shutdown, cluster, clientKeys, passthrough, routingRules, server,
        capture, ui);
  }

  private static ListenAddress listen(ConfigNode node) {
    String text = node.string("127.0.0.1:8765").trim();
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      node.error("must be host:port, e.g. \"127.0.0.1:8765\", got \"" + text + "\"");
      return null;
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return new ListenAddress(host, port);
    } catch (NumberFormatException e) {
      node.error("port must be a number from 0 to 65535, got \"" + text.substring(colon + 1) + "\"");
      return null;
    }
  }

  private static Secret optionalSecret(ConfigNode node) {
    String value = node.string();
    return value == null || value.isBlank() ? null : new Secret(value.trim());
  }

  private static ProxySettings proxy(ConfigNode node, Path baseDir) {
    node.warnUnknownKeys(Set.of("enable_system_prompt", "forward_client_ip", "max_body_bytes", "system_prompts_dir",
        "watch_interval"));
    long maxBody = node.get("max_body_bytes").integer(DEFAULT_MAX_BODY_BYTES);
    if (maxBody <= 0) {
      node.get("max_body_bytes").error("must be positive");
    }
    String promptsDir = node.get("system_prompts_dir").string("system_prompts");
    return new ProxySettings(
        node.get("enable_system_prompt").bool(true),
        node.get("forward_client_ip").bool(true),
        maxBody,
        baseDir.resolve(promptsDir).normalize());
  }

  private static Timeouts timeouts(ConfigNode node) {
    node.warnUnknownKeys(Set.of("connect", "response_header", "first_token", "idle", "total"));
    return new Timeouts(
        positive(node.get("connect"), Duration.ofSeconds(10)),
        positive(node.get("response_header"), Duration.ofSeconds(300)),
        positive(node.get("first_token"), Duration.ofSeconds(120)),
        positive(node.get("idle"), Duration.ofSeconds(120)),
        positive(node.get("total"), Duration.ofMinutes(10)));
  }

  static Duration positive(ConfigNode node, Duration fallback) {
    Duration d = node.duration(fallback);
    if (d.isZero()) {
      node.error("must be greater than zero");
      return fallback;
    }
    return d;
  }

  private static Map<String, Backend> backends(ConfigNode node, DetectionRules globalDetection) {
    Map<String, Backend> out = new LinkedHashMap<>();
    if (node.isMissing()) {
      node.error("at least one backend is required");
    }
    for (ConfigNode b : node.items()) {
      if (!b.isMap()) {
        b.error("must be a mapping with at least name and url (or type: echo)");
        continue;
      }
      b.warnUnknownKeys(BACKEND_KEYS);
      Backend backend = backend(b, globalDetection);
      if (backend == null) {
        continue;
      }
      if (out.putIfAbsent(backend.name(), backend) != null) {
        b.get("name").error("duplicate backend name \"" + backend.name() + "\"");
      }
    }
    return out;
  }

  private static Backend backend(ConfigNode b, DetectionRules globalDetection) {
    if (b.get("name").isBoolean()) {
      b.get("name").error("YAML read this name as a boolean (unquoted yes/no/on/off); quote it, e.g. name: \"off\"");
      return null;
    }
    String name = b.get("name").string();
    if (name == null || name.isBlank()) {
      b.get("name").error("required");
      return null;
    }
    String typeText = b.get("type").string("http");
    BackendType type;
    switch (typeText.toLowerCase()) {
      case "http" -> type = BackendType.HTTP;
      case "echo" -> type = BackendType.ECHO;
      case "bedrock" -> type = BackendType.BEDROCK;
      default -> {
        b.get("type").error("must be http, echo or bedrock, got \"" + typeText + "\"");
        return null;
      }
    }
    String protocolText = b.get("protocol").string(type == BackendType.BEDROCK ? "anthropic" : "openai");
    Protocol protocol = Protocol.parse(protocolText).orElse(null);
    if (protocol == null) {
      b.get("protocol").error("must be openai or anthropic, got \"" + protocolText + "\"");
      return null;
    }
    if (type == BackendType.BEDROCK && protocol != Protocol.ANTHROPIC) {
      b.get("protocol").error("a bedrock backend serves Anthropic models (the Anthropic-on-Bedrock body):"
          + " protocol must be anthropic");
      return null;
    }
    boolean enabled = b.get("enabled").bool(true);
    List<String> missingEnv = new ArrayList<>();
    Credentials credentials = credentials(b.get("credentials"));
    BedrockSettings bedrock = type == BackendType.BEDROCK ? BedrockSection.compile(b, missingEnv) : null;

    String url = null;
    if (type == BackendType.BEDROCK && bedrock != null) {
      String given = expandAllowingMissing(b.get("url"), missingEnv);
      url = given == null || given.isBlank()
          ? (bedrock.region() == null ? null : BedrockSettings.defaultUrl(bedrock.region()))
          : validUrl(b.get("url"), given);
    }
    if (type == BackendType.HTTP) {
      url = expandAllowingMissing(b.get("url"), missingEnv);
      if (url == null || url.isBlank()) {
        if (missingEnv.isEmpty()) {
          b.get("url").error("required for an http backend (or use type: echo)");
        }
      } else {
        url = validUrl(b.get("url"), url);
      }
    }
    Secret apiKey = null;
    String key = expandAllowingMissing(b.get("api_key"), missingEnv);
    if (key != null && !key.isBlank()) {
      apiKey = new Secret(key.trim());
    }
    if (apiKey != null && (credentials == Credentials.CLIENT || type == BackendType.BEDROCK)) {
      b.get("api_key").error(type == BackendType.BEDROCK
          ? "a bedrock backend signs with AWS credentials (access_key_id/secret_access_key, profile or the default"
              + " chain), not an api_key"
          : "credentials: client forwards the client's own key; remove api_key (or use credentials: backend)");
    }
    if (credentials == Credentials.CLIENT && type == BackendType.BEDROCK) {
      // The proxy signs every Bedrock request itself; a client's own keys would only ride along to AWS.
      b.get("credentials").error("a bedrock backend signs with its own AWS credentials; credentials: client is"
          + " not supported (remove it)");
    }
    Map<String, Secret> headers = new LinkedHashMap<>();
    b.get("headers").entries().forEach((header, valueNode) -> {
      String value = expandAllowingMissing(valueNode, missingEnv);
      if (value != null && !value.isEmpty()) {
        headers.put(header, new Secret(value));
      }
    });

    String disabledReason = null;
    if (!enabled) {
      disabledReason = "enabled: false";
    } else if (!missingEnv.isEmpty()) {
      disabledReason = "environment variable " + String.join(", ", missingEnv) + " is not set";
      b.warn("backend \"" + name + "\" disabled: " + disabledReason);
    }
    DetectionRules detection = b.has("detection") ? DetectionConfig.compile(b.get("detection"), globalDetection) : null;
    BackendTranslation translation = BackendTranslation.compile(b.get("translation"));
    boolean demote = b.get("demote_nonstreaming").bool(false);
    // The echo backend answers each client in its own protocol unless its protocol is declared (docs/translation.md).
    boolean speaksBoth = type == BackendType.ECHO && !b.has("protocol");
    return new Backend(name, type, url, apiKey, protocol, headers, disabledReason == null, disabledReason, detection,
        translation, demote, credentials, bedrock, speaksBoth);
  }

  private static Credentials credentials(ConfigNode node) {
    String text = node.string("backend");
    return switch (text.toLowerCase()) {
      case "backend" -> Credentials.BACKEND;
      case "client" -> Credentials.CLIENT;
      default -> {
        node.error("must be backend (the backend's api_key) or client (forward the client's own key), got \""
            + text + "\"");
        yield Credentials.BACKEND;
      }
    };
  }

  /** A backend referring to an unset variable is disabled rather than invalid, so the example runs keyless. */
  private static String expandAllowingMissing(ConfigNode node, List<String> missing) {
    EnvExpander.Expansion e = node.expansion();
    if (e == null) {
      return null;
    }
    missing.addAll(e.missing());
    return e.complete() ? e.value() : null;
  }

  private static String validUrl(ConfigNode node, String text) {
    try {
      URI uri = new URI(text.trim());
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        node.error("must be an http:// or https:// URL with a host, got \"" + text + "\"");
        return null;
      }
      if (uri.getQuery() != null || uri.getFragment() != null) {
        node.error("must not have a query or fragment, got \"" + text + "\"");
        return null;
      }
      String s = uri.toString();
      while (s.endsWith("/")) {
        s = s.substring(0, s.length() - 1);
      }
      return s;
    } catch (URISyntaxException e) {
      node.error("must be an http:// or https:// URL with a host, got \"" + text + "\" (" + e.getReason() + ")");
      return null;
    }
  }

  private static Map<String, Alias> aliases(ConfigNode node, Map<String, Backend> backends, boolean passthrough) {
    Map<String, Alias> out = new LinkedHashMap<>();
    if (node.isMissing() && !passthrough) {
      node.error("at least one model alias is required (or a passthrough: section)");
    }
    node.entries().forEach((alias, aliasNode) -> {
      // Two shapes: `alias: [routes]` (flat) and `alias: {routes: [...], ...}` (full).
      ConfigNode routesNode;
      if (aliasNode.isList()) {
        routesNode = aliasNode;
      } else if (aliasNode.isMap()) {
        aliasNode.warnUnknownKeys(ALIAS_KEYS);
        routesNode = aliasNode.get("routes");
      } else {
        aliasNode.error("must be a list of routes or a mapping with routes:");
        return;
      }
      List<Route> routes = new ArrayList<>();
      for (ConfigNode r : routesNode.items()) {
        Route route = route(r, alias, backends);
        if (route != null) {
          routes.add(route);
        }
      }
      if (routesNode.items().isEmpty()) {
        routesNode.error("alias \"" + alias + "\" needs at least one route");
      }
      routes.sort(Comparator.comparingInt(Route::priority));
      Boolean midstream = aliasNode.isMap() && aliasNode.has("midstream_recovery")
          ? aliasNode.get("midstream_recovery").bool(true) : null;
      out.put(alias, new Alias(alias, routes, midstream));
    });
    return out;
  }

  private static Route route(ConfigNode r, String alias, Map<String, Backend> backends) {
    if (!r.isMap()) {
      r.error("must be a mapping with backend, model and priority");
      return null;
    }
    r.warnUnknownKeys(ROUTE_KEYS);
    String backend = r.get("backend").string();
    if (backend == null || backend.isBlank()) {
      r.get("backend").error("required");
      return null;
    }
    if (!backends.containsKey(backend)) {
      r.get("backend").error("unknown backend \"" + backend + "\" (defined: " + backends.keySet() + ")");
      return null;
    }
    String model = r.get("model").string();
    if (model == null || model.isBlank()) {
      if (backends.get(backend).type() == BackendType.ECHO) {
        model = alias;
      } else {
        r.get("model").error("required: the model name the backend knows");
        return null;
      }
    }
    long priority = r.get("priority").integer(1);
    if (priority < 0 || priority > Integer.MAX_VALUE) {
      r.get("priority").error("must be zero or positive (lower is tried first), got " + priority);
      return null;
    }
    long weight = r.get("weight").integer(1);
    if (weight <= 0 || weight > 1_000_000) {
      r.get("weight").error("must be a positive whole number, got " + weight);
      return null;
    }
    Boolean demote = r.has("demote_nonstreaming") ? r.get("demote_nonstreaming").bool(false) : null;
    return new Route(backend, model, (int) priority, (int) weight, r.get("prefill").bool(true), demote);
  }
}
