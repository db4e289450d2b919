package dev.llmproxy.detection;

/**
 * Why a backend produced no usable HTTP exchange, in words the classifier and the logs share. Neutral: whoever
 * talks to backends maps its own exceptions onto these, so judging a failure needs no network code.
 */
public enum TransportFailure {
  CONNECT("connection failed"),
  TLS("TLS handshake failed"),
  CONNECT_TIMEOUT("connect timeout"),
  HEADER_TIMEOUT("no response headers in time"),
  FIRST_TOKEN_TIMEOUT("no first token in time"),
  IDLE_TIMEOUT("stream idle too long"),
  RESET("connection reset"),
  /** The request could not be signed for the backend (e.g. no AWS credentials could be resolved). */
  SIGNING("request could not be signed"),
  TOO_LARGE("response too large");

  private final String description;

  TransportFailure(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
