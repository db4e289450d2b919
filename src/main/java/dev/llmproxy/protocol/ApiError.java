package dev.llmproxy.protocol;

import java.util.Map;

/**
 * A request the gateway answers itself with an error. Stages fail their future with it to short-circuit the
 * pipeline; {@link ErrorBodies} renders it in the client's protocol. Created without a stack trace: it is
 * control flow, not a bug.
 */
public final class ApiError extends RuntimeException {

  private final ErrorKind kind;
  private final int status;
  private final String param;
  private final Map<String, String> headers;

  private ApiError(ErrorKind kind, int status, String message, String param, Map<String, String> headers) {
    super(message, null, false, false);
    this.kind = kind;
    this.status = status;
    this.param = param;
    this.headers = Map.copyOf(headers);
  }

  public static ApiError of(ErrorKind kind, String message) {
    return new ApiError(kind, kind.status(), message, null, Map.of());
  }

  public static ApiError withParam(ErrorKind kind, String message, String param) {
    return new ApiError(kind, kind.status(), message, param, Map.of());
  }

  /** Same error with extra response headers (e.g. {@code Retry-After}). */
  public ApiError withHeaders(Map<String, String> extra) {
    java.util.Map<String, String> merged = new java.util.HashMap<>(headers);
    merged.putAll(extra);
    return new ApiError(kind, status, getMessage(), param, merged);
  }

  /** Same error with another HTTP status (e.g. a provider's own status that ended the request). */
  public ApiError withStatus(int newStatus) {
    return new ApiError(kind, newStatus, getMessage(), param, headers);
  }

  public ErrorKind kind() {
    return kind;
  }

  public int status() {
    return status;
  }

  public String param() {
    return param;
  }

  public Map<String, String> headers() {
    return headers;
  }
}
