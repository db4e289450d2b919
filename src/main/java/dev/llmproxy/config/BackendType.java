package dev.llmproxy.config;

/** How a backend is reached. */
public enum BackendType {
  /** A real provider (or any compatible server) over HTTP(S). */
  HTTP,
  /**
   * The built-in local echo backend: answers every endpoint of both protocols in the right shape (streaming
   * too) by echoing the request. For trying the proxy without keys or network; it is not a model.
   */
  ECHO
}
