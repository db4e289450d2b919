package dev.llmproxy.config;

import dev.llmproxy.detection.DetectionRules;
import dev.llmproxy.protocol.Protocol;
import java.util.Map;

/**
 * A compiled backend. {@code url} is the base URL without trailing slash (for {@link BackendType#ECHO}, null:
 * the echo server's address is only known at runtime). {@code apiKey} is null when the backend needs none.
 * {@code disabledReason} says why an {@code enabled: true} backend is nonetheless off (e.g. its key's
 * environment variable is unset); routes to a disabled backend are skipped. {@code detection} overrides the
 * global {@code detection:} rules for this backend, or is null. {@code translation} says how requests of the other
 * protocol are rewritten for it; {@code demoteNonstreaming} asks it for a stream even when the client wants one
 * JSON answer (the proxy reassembles it; routes may override). {@code credentials} says whose key the backend
 * receives; {@code bedrock} is set for {@link BackendType#BEDROCK} only. {@code speaksBoth}: the built-in echo
 * backend with no {@code protocol:} of its own answers each client in the client's protocol; declared with one, it
 * speaks only that one, and requests of the other protocol are translated for it like for any backend (which shows
 * translation at work without a provider key).
 */
public record Backend(
    String name,
    BackendType type,
    String url,
    Secret apiKey,
    Protocol protocol,
    Map<String, Secret> headers,
    boolean enabled,
    String disabledReason,
    DetectionRules detection,
    BackendTranslation translation,
    boolean demoteNonstreaming,
    Credentials credentials,
    BedrockSettings bedrock,
    boolean speaksBoth) {

  public Backend {
    headers = Map.copyOf(headers);
    translation = translation == null ? BackendTranslation.DEFAULTS : translation;
    credentials = credentials == null ? Credentials.BACKEND : credentials;
  }

  /** A backend with default translation settings, no demotion, its own credentials, and no Bedrock settings. */
  public Backend(String name, BackendType type, String url, Secret apiKey, Protocol protocol,
      Map<String, Secret> headers, boolean enabled, String disabledReason, DetectionRules detection) {
    this(name, type, url, apiKey, protocol, headers, enabled, disabledReason, detection, null, false, null, null,
        type == BackendType.ECHO);
  }

  /** Whether requests of the given client protocol can go to this backend without translation. */
  public boolean speaks(Protocol clientProtocol) {
    return speaksBoth || protocol == clientProtocol;
  }

  /** Whether the client's own key headers are forwarded to this backend (the transparent mode). */
  public boolean forwardsClientKey() {
    return credentials == Credentials.CLIENT;
  }
}
