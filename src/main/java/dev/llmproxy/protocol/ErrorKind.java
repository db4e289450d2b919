package dev.llmproxy.protocol;

/**
 * What went wrong, in terms both protocols can express. Each kind carries the HTTP status, the OpenAI
 * {@code type}/{@code code} pair and the Anthropic {@code error.type} that the providers themselves use for it,
 * so SDKs map our errors to the same exception classes they use for the providers' own.
 */
public enum ErrorKind {
  INVALID_REQUEST(400, "invalid_request_error", null, "invalid_request_error"),
  INVALID_JSON(400, "invalid_request_error", "invalid_json", "invalid_request_error"),
  UNSUPPORTED_PROTOCOL(400, "invalid_request_error", "unsupported_protocol", "invalid_request_error"),
  AUTHENTICATION(401, "invalid_request_error", "invalid_api_key", "authentication_error"),
  NOT_FOUND(404, "invalid_request_error", "not_found", "not_found_error"),
  MODEL_NOT_FOUND(404, "invalid_request_error", "model_not_found", "not_found_error"),
  METHOD_NOT_ALLOWED(405, "invalid_request_error", "method_not_allowed", "invalid_request_error"),
  REQUEST_TIMEOUT(408, "invalid_request_error", "request_timeout", "invalid_request_error"),
  BODY_TOO_LARGE(413, "invalid_request_error", "request_too_large", "request_too_large"),
  URI_TOO_LONG(414, "invalid_request_error", "uri_too_long", "invalid_request_error"),
  HEADERS_TOO_LARGE(431, "invalid_request_error", "headers_too_large", "invalid_request_error"),
  RATE_LIMITED(429, "rate_limit_exceeded", "rate_limit_exceeded", "rate_limit_error"),
  INTERNAL(500, "api_error", "internal_error", "api_error"),
  NOT_IMPLEMENTED(501, "invalid_request_error", "not_implemented", "invalid_request_error"),
  UPSTREAM_FAILED(502, "api_error", "upstream_failed", "api_error"),
  UNAVAILABLE(503, "api_error", "service_unavailable", "overloaded_error"),
  UPSTREAM_TIMEOUT(504, "api_error", "upstream_timeout", "api_error");

  private final int status;
  private final String openAiType;
  private final String openAiCode;
  private final String anthropicType;

  ErrorKind(int status, String openAiType, String openAiCode, String anthropicType) {
    this.status = status;
    this.openAiType = openAiType;
    this.openAiCode = openAiCode;
    this.anthropicType = anthropicType;
  }

  public int status() {
    return status;
  }

  public String openAiType() {
    return openAiType;
  }

  public String openAiCode() {
    return openAiCode;
  }

  public String anthropicType() {
    return anthropicType;
  }
}
