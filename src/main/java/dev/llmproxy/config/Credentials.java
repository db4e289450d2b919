package dev.llmproxy.config;

/** Whose credentials a backend receives. */
public enum Credentials {
  /** The backend's own {@code api_key} (or none); the client's key never leaves the proxy. */
  BACKEND,
  /**
   * The client's own {@code Authorization} / {@code x-api-key} headers, forwarded unchanged: the transparent mode,
   * in which the proxy holds no provider key. Cannot be combined with {@code proxy_api_key} or
   * {@code client_keys} (the client's key headers would carry the proxy's key).
   */
  CLIENT
}
