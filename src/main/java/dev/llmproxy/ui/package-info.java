/**
 * The web UI at {@code /ui/} (docs/ui.md): a log explorer and live dashboard over the capture store, served on
 * the proxy's own port or standalone by {@code --explore}. Owns who may open it ({@link dev.llmproxy.ui.UiAccess},
 * the login sessions, basic auth, the loopback-only rule), its JSON API under {@code /ui/api} (the capture query
 * API's lists, records and statistics mounted behind the UI's door, plus time series, the gateway's live state,
 * and the live feed over SSE), and serving the
 * static pages and WebJar libraries from the jar. The pages themselves are in
 * {@code src/main/resources/META-INF/llm-proxy-ui}.
 */
package dev.llmproxy.ui;
