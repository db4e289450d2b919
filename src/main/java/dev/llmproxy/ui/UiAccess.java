package dev.llmproxy.ui;

import dev.llmproxy.config.Secret;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.UiSettings;
import java.time.Duration;

/**
 * Who may open the UI, decided from the live config on every request (so a reload that sets a password or a key
 * applies at once): {@code ui.password} → HTTP basic auth; else {@code proxy_api_key} → the login form and a
 * session cookie; else, with {@code client_keys} only, nobody (a client key is for proxied requests, as it is not
 * for {@code /admin}; and the traffic it would show is every client's); else loopback clients only. The explorer
 * ({@code --explore}) is always loopback-only.
 *
 * @param secret the password (basic) or the proxy key (login); null for loopback
 */
record UiAccess(Mode mode, Secret secret, Duration sessionTtl, boolean enabled) {

  enum Mode {
    BASIC,
    LOGIN,
    CLOSED,
    LOOPBACK;

    String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static UiAccess of(Snapshot snapshot) {
    UiSettings ui = snapshot.ui();
    if (ui.password() != null) {
      return new UiAccess(Mode.BASIC, ui.password(), ui.sessionTtl(), ui.enabled());
    }
    if (snapshot.proxyApiKey() != null) {
      return new UiAccess(Mode.LOGIN, snapshot.proxyApiKey(), ui.sessionTtl(), ui.enabled());
    }
    if (snapshot.authRequired()) {
      return new UiAccess(Mode.CLOSED, null, ui.sessionTtl(), ui.enabled());
    }
    return new UiAccess(Mode.LOOPBACK, null, ui.sessionTtl(), ui.enabled());
  }

  static UiAccess loopbackOnly() {
    return new UiAccess(Mode.LOOPBACK, null, UiSettings.DEFAULT_SESSION_TTL, true);
  }
}
