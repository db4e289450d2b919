package dev.llmproxy.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code capture:} section: what traffic is recorded and where (a JSONL dataset, a queryable store, Loki).
 * Absent means off. Used by {@code dev.llmproxy.capture}; docs/capture.md describes every key.
 *
 * @param enabled records are taken; false keeps the store open (the query API still answers) but records nothing
 * @param directory root of the JSONL dataset, or null for no JSONL files ({@code directory: ""})
 * @param layout folders under {@code directory}, with {@code {date}}, {@code {alias}}, {@code {backend}},
 *     {@code {protocol}} and {@code {session}} placeholders
 * @param maxFileBytes a dataset file rolls over when the next line would take it past this size
 * @param includeHeaders the client's request headers go into records (credentials always masked)
 * @param includeRawEvents a stream's raw events go into records besides the reassembled message
 * @param maxBodyBytes a larger body is cut to this size and marked as truncated
 * @param queueSize records waiting between the event loops and the writer; more are dropped and counted
 * @param sessionHeader the request header naming a session; without it a stable hash is used
 */
public record CaptureSettings(
    boolean present,
    boolean enabled,
    Path directory,
    String layout,
    long maxFileBytes,
    boolean includeHeaders,
    boolean includeRawEvents,
    long maxBodyBytes,
    int queueSize,
    String sessionHeader,
    Store store,
    Loki loki) {

  static final Set<String> KEYS = Set.of("enabled", "directory", "layout", "max_file_mb", "include_headers",
      "include_raw_events", "max_body_bytes", "queue_size", "session_header", "store", "loki");
  static final Set<String> STORE_KEYS = Set.of("type", "path", "url", "retention_days");
  static final Set<String> LOKI_KEYS = Set.of("enabled", "url", "auth_token", "username", "password", "tenant_id",
      "batch_size", "batch_wait", "retry_max", "use_gzip", "labels", "max_line_bytes");
  /** Placeholders a layout may use; each is replaced by a file-name-safe value. */
  public static final Set<String> LAYOUT_PLACEHOLDERS = Set.of("date", "alias", "backend", "protocol", "session");
  /** Labels every Loki entry gets from its record; bounded by config names and small enums. */
  public static final Set<String> RECORD_LABELS = Set.of("alias", "backend", "status_class", "protocol");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^}]*)}");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /** Where records are indexed for the query API. */
  public enum StoreType { NONE, SQLITE, POSTGRES }

  /**
   * @param path the SQLite file (sqlite)
   * @param jdbcUrl the PostgreSQL JDBC URL without credentials (postgres)
   * @param user PostgreSQL user from the URL, or null
   * @param password PostgreSQL password from the URL, or null
   * @param retentionDays rows older than this are deleted; 0 keeps them forever
   */
  public record Store(StoreType type, Path path, String jdbcUrl, String user, Secret password, int retentionDays) {

    /** What identifies the database: changing it needs a restart. */
    public String identity() {
      return switch (type) {
        case NONE -> "none";
        case SQLITE -> "sqlite:" + path;
        case POSTGRES -> "postgres:" + jdbcUrl + (user == null ? "" : " as " + user);
      };
    }
  }

  /**
   * @param url the full push endpoint, e.g. {@code http://loki:3100/loki/api/v1/push}
   * @param authToken sent as {@code Authorization: Bearer}; or basic auth with {@code username}/{@code password}
   * @param tenantId sent as {@code X-Scope-OrgID}
   * @param labels static labels of every stream, besides the bounded {@link #RECORD_LABELS}
   * @param maxLineBytes a longer entry is sent without its bodies (Loki refuses over-long lines)
   */
  public record Loki(boolean enabled, String url, Secret authToken, String username, Secret password, String tenantId,
      int batchSize, Duration batchWait, int retryMax, boolean useGzip, Map<String, String> labels,
      long maxLineBytes) {

    public Loki {
      labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    }
  }

  public static final Loki LOKI_OFF = new Loki(false, null, null, null, null, null, 1000, Duration.ofSeconds(5), 5,
      true, Map.of(), 256 * 1024);
  public static final CaptureSettings OFF = new CaptureSettings(false, false, null, "{date}/{alias}",
      100L * 1024 * 1024, true, false, 10L * 1024 * 1024, 10_000, "X-Session-ID",
      new Store(StoreType.NONE, null, null, null, null, 30), LOKI_OFF);

  /** Where records go, for people ({@code --status}): the dataset directory and the store, or why nothing is. */
  public String where() {
    if (!present) {
      return "off (no capture: section)";
    }
    if (!enabled) {
      return "off (capture.enabled: false)";
    }
    return (directory == null ? "no dataset" : directory + " (dataset)") + ", store " + store.identity()
        + (loki.enabled() ? ", loki " + loki.url() : "");
  }

  /** Every credential of the section, so logs and captures can mask it. */
  public List<Secret> secrets() {
    List<Secret> out = new ArrayList<>();
    if (store.password() != null) {
      out.add(store.password());
    }
    if (loki.authToken() != null) {
      out.add(loki.authToken());
    }
    if (loki.password() != null) {
      out.add(loki.password());
    }
    return out;
  }

  /**
   * What of a capture change a reload cannot apply: the store is opened once (its connections and schema) and
   * the queue is allocated once. Everything else follows a reload.
   */
  static List<String> restartNeeded(CaptureSettings before, CaptureSettings after) {
    List<String> out = new ArrayList<>();
    if (!before.store().identity().equals(after.store().identity())) {
      out.add("capture.store " + before.store().identity() + " -> " + after.store().identity());
    }
    if (before.queueSize() != after.queueSize()) {
      out.add("capture.queue_size " + before.queueSize() + " -> " + after.queueSize());
    }
    return out;
  }

  static CaptureSettings compile(ConfigNode node, Path configDir) {
    if (node.isMissing()) {
      warnIgnoredEnv(node);
      return OFF;
    }
    if (!node.isMap()) {
      node.error("must be a mapping (enabled, directory, layout, store, loki, ...)");
      return OFF;
    }
    node.warnUnknownKeys(KEYS);
    CaptureSettings d = OFF;
    boolean enabled = node.get("enabled").bool(true);
    String dirText = node.get("directory").overriddenBy("LLM_PROXY_CAPTURE_DIR").string("data").trim();
    Path directory = dirText.isEmpty() ? null : configDir.resolve(dirText).normalize();
    String layout = layout(node.get("layout"), d.layout());
    long maxFileMb = bounded(node.get("max_file_mb"), 100, 1, 1_000_000);
    long maxBody = bounded(node.get("max_body_bytes"), d.maxBodyBytes(), 1024, 1L << 30);
    int queueSize = (int) bounded(node.get("queue_size"), d.queueSize(), 1, 1_000_000);
    String sessionHeader = node.get("session_header").string(d.sessionHeader()).trim();
    if (!HEADER_NAME.matcher(sessionHeader).matches()) {
      node.get("session_header").error("must be an HTTP header name, got \"" + sessionHeader + "\"");
      sessionHeader = d.sessionHeader();
    }
    return new CaptureSettings(true, enabled, directory, layout, maxFileMb * 1024 * 1024,
        node.get("include_headers").bool(true), node.get("include_raw_events").bool(false), maxBody, queueSize,
        sessionHeader, store(node.get("store"), configDir), loki(node.get("loki")));
  }

  /** The Loki variables users of other logging proxies keep in their shells do nothing without a section. */
  private static void warnIgnoredEnv(ConfigNode node) {
    ConfigNode probe = node.get("loki").get("enabled").overriddenBy("LLM_PROXY_LOKI_ENABLED");
    if (!probe.isMissing() && probe.bool(false)) {
      node.warn("LLM_PROXY_LOKI_ENABLED is set but there is no capture: section, so nothing is captured or pushed");
    }
  }

  private static String layout(ConfigNode node, String fallback) {
    String text = node.string(fallback).trim();
    while (text.startsWith("/")) {
      text = text.substring(1);
    }
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      if (!LAYOUT_PLACEHOLDERS.contains(m.group(1))) {
        node.error("unknown placeholder {" + m.group(1) + "}; known: " + LAYOUT_PLACEHOLDERS);
        return fallback;
      }
    }
    for (String part : text.split("/")) {
      if (part.equals("..") || part.equals(".")) {
        node.error("must stay inside the capture directory (no \".\" or \"..\" parts), got \"" + text + "\"");
        return fallback;
      }
    }
    return text;
  }

  private static Store store(ConfigNode node, Path configDir) {
    if (!node.isMissing() && !node.isMap()) {
      node.error("must be a mapping (type, path, url, retention_days)");
    }
    node.warnUnknownKeys(STORE_KEYS);
    String typeText = node.get("type").string("sqlite").trim().toLowerCase(Locale.ROOT);
    StoreType type = switch (typeText) {
      case "sqlite" -> StoreType.SQLITE;
      case "postgres", "postgresql" -> StoreType.POSTGRES;
      case "none", "" -> StoreType.NONE;
      default -> {
        node.get("type").error("must be sqlite, postgres or none, got \"" + typeText + "\"");
        yield StoreType.NONE;
      }
    };
    int retention = (int) bounded(node.get("retention_days"), 30, 0, 36_500);
    Path path = configDir.resolve(node.get("path").string("data/requests.db").trim()).normalize();
    if (type != StoreType.POSTGRES) {
      return new Store(type, type == StoreType.SQLITE ? path : null, null, null, null, retention);
    }
    ConfigNode urlNode = node.get("url");
    String url = urlNode.string("").trim();
    if (url.isEmpty()) {
      urlNode.error("required when type is postgres: postgresql://user:password@host:5432/database");
      return new Store(StoreType.NONE, null, null, null, null, retention);
    }
    return postgres(urlNode, url, retention);
  }

  /** Accepts {@code postgresql://user:pass@host:port/db?params} (libpq style) and {@code jdbc:postgresql://...}. */
  private static Store postgres(ConfigNode node, String url, int retention) {
    String text = url.startsWith("jdbc:") ? url.substring(5) : url;
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme();
      if (scheme == null || !(scheme.equals("postgresql") || scheme.equals("postgres")) || uri.getHost() == null) {
        node.error("must be a postgresql://user:password@host:5432/database URL (credentials masked)");
        return new Store(StoreType.NONE, null, null, null, null, retention);
      }
      String user = null;
      Secret password = null;
      String info = uri.getRawUserInfo();
      if (info != null) {
        int colon = info.indexOf(':');
        user = decode(colon < 0 ? info : info.substring(0, colon));
        if (colon >= 0 && colon + 1 < info.length()) {
          password = new Secret(decode(info.substring(colon + 1)));
        }
      }
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/postgres" : uri.getRawPath();
      String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + path
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
      return new Store(StoreType.POSTGRES, null, jdbc, user, password, retention);
    } catch (URISyntaxException | IllegalArgumentException e) {
      node.error("must be a postgresql://user:password@host:5432/database URL (credentials masked)");
      return new Store(StoreType.NONE, null, null, null, null, retention);
    }
  }

  private static String decode(String s) {
    return java.net.URLDecoder.decode(s.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static Loki loki(ConfigNode node) {
    if (!node.isMissing() && !node.isMap()) {
      node.error("must be a mapping (enabled, url, auth_token, batch_size, ...)");
    }
    node.warnUnknownKeys(LOKI_KEYS);
    Loki d = LOKI_OFF;
    boolean enabled = node.get("enabled").overriddenBy("LLM_PROXY_LOKI_ENABLED").bool(false);
    ConfigNode urlNode = node.get("url").overriddenBy("LLM_PROXY_LOKI_URL");
    String url = urlNode.string("").trim();
    if (enabled && url.isEmpty()) {
      urlNode.error("required when loki is enabled: the push endpoint, e.g. http://loki:3100/loki/api/v1/push");
    } else if (!url.isEmpty()) {
      url = httpUrl(urlNode, url);
    }
    Secret token = secret(node.get("auth_token").overriddenBy("LLM_PROXY_LOKI_AUTH_TOKEN"));
    String username = blankToNull(node.get("username").string());
    Secret password = secret(node.get("password"));
    if (token != null && username != null) {
      node.get("username").error("set either auth_token (Bearer) or username/password (basic auth), not both");
    }
    int batchSize = (int) bounded(node.get("batch_size").overriddenBy("LLM_PROXY_LOKI_BATCH_SIZE"), d.batchSize(), 1,
        100_000);
    Duration batchWait = ConfigCompiler.positive(node.get("batch_wait").overriddenBy("LLM_PROXY_LOKI_BATCH_WAIT"),
        d.batchWait());
    int retryMax = (int) bounded(node.get("retry_max").overriddenBy("LLM_PROXY_LOKI_RETRY_MAX"), d.retryMax(), 0, 100);
    boolean gzip = node.get("use_gzip").overriddenBy("LLM_PROXY_LOKI_USE_GZIP").bool(true);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app", "llm-proxy");
    node.get("labels").entries().forEach((name, value) -> {
      if (!LABEL_NAME.matcher(name).matches()) {
        value.error("a Loki label name is letters, digits and _, not starting with a digit");
      } else if (RECORD_LABELS.contains(name)) {
        value.error("\"" + name + "\" is set from each record; choose another label name");
      } else {
        labels.put(name, value.string(""));
      }
    });
    String environment = node.get("labels").get("environment").overriddenBy("LLM_PROXY_LOKI_ENVIRONMENT").string();
    if (environment != null && !environment.isBlank()) {
      labels.put("environment", environment.trim());
    }
    long maxLine = bounded(node.get("max_line_bytes"), d.maxLineBytes(), 1024, 64L * 1024 * 1024);
    return new Loki(enabled, url.isEmpty() ? null : url, token, username, password,
        blankToNull(node.get("tenant_id").string()), batchSize, batchWait, retryMax, gzip, labels, maxLine);
  }

  private static String httpUrl(ConfigNode node, String text) {
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
          || uri.getHost() == null) {
        node.error("must be an http:// or https:// URL, got \"" + text + "\"");
      }
    } catch (URISyntaxException e) {
      node.error("must be an http:// or https:// URL, got \"" + text + "\"");
    }
    return text;
  }

  private static Secret secret(ConfigNode node) {
    String value = node.string();
    return value == null || value.isBlank() ? null : new Secret(value.trim());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static long bounded(ConfigNode node, long fallback, long min, long max) {
    long v = node.integer(fallback);
    if (v < min || v > max) {
      node.error("must be a whole number from " + min + " to " + max + ", got " + v);
      return fallback;
    }
    return v;
  }
}
