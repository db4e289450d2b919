package dev.llmproxy.config;

import java.time.Duration;
import java.util.Set;

/**
 * The {@code ui:} section: the web UI at {@code /ui/} (docs/ui.md). Who may open it follows from the config as a
 * whole: {@code password} set → HTTP basic auth; otherwise {@code proxy_api_key} set → a login form whose session
 * lives in an HttpOnly cookie; neither → loopback clients only.
 *
 * @param enabled serve {@code /ui/} at all
 * @param password the basic-auth password (any user name), or null
 * @param sessionTtl how long a login-form session lasts without being used
 */
public record UiSettings(boolean enabled, Secret password, Duration sessionTtl) {

  public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(12);

  public static UiSettings defaults() {
    return new UiSettings(true, null, DEFAULT_SESSION_TTL);
  }

  static UiSettings compile(ConfigNode node) {
    node.warnUnknownKeys(Set.of("enabled", "password", "session_ttl"));
    String password = node.get("password").string();
    return new UiSettings(
        node.get("enabled").bool(true),
        password == null || password.isBlank() ? null : new Secret(password),
        ConfigCompiler.positive(node.get("session_ttl"), DEFAULT_SESSION_TTL));
  }
}
