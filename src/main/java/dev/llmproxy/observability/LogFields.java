package dev.llmproxy.observability;

/** Names of structured log fields, so every line spells them the same way. */
public final class LogFields {
  public static final String TRACE_ID = "trace_id";
  public static final String CLIENT_IP = "client_ip";
  public static final String METHOD = "method";
  public static final String PATH = "path";
  public static final String ALIAS = "alias";
  public static final String BACKEND = "backend";
  public static final String MODEL = "model";
  public static final String STATUS = "status";
  public static final String ATTEMPTS = "attempts";
  public static final String STREAM = "stream";
  public static final String DURATION_MS = "duration_ms";
  public static final String TTFB_MS = "ttfb_ms";
  public static final String BYTES_IN = "bytes_in";
  public static final String BYTES_OUT = "bytes_out";
  public static final String ERROR = "error";
  public static final String ATTEMPT_TRAIL = "attempt_trail";
  public static final String DROPPED_EVENTS = "dropped_events";
  public static final String PROMPT_TOKENS = "prompt_tokens";
  public static final String COMPLETION_TOKENS = "completion_tokens";
  public static final String BODY_BYTES = "body_bytes";
  public static final String ELAPSED_MS = "elapsed_ms";
  public static final String CAUSE = "cause";
  public static final String FAILURE_KIND = "failure_kind";
  public static final String HEADERS = "headers";
  public static final String BODY = "body";
  public static final String SIGNAL = "signal";
  public static final String IN_FLIGHT = "in_flight";
  public static final String DRAIN_TIMEOUT_MS = "drain_timeout_ms";
  public static final String USAGE_PARTIAL = "usage_partial";
  public static final String MIDSTREAM_BREAK = "midstream_break";
  public static final String MIDSTREAM_CHARS = "midstream_chars";
  public static final String MIDSTREAM_ROUTES = "midstream_routes";
  public static final String MIDSTREAM_RECOVERY = "midstream_recovery";
  public static final String ROUTING_RULE = "routing_rule";
  public static final String CLIENT_KEY = "client_key";
  public static final String REQUESTED_MODEL = "requested_model";
  public static final String PASSTHROUGH = "passthrough";

  private LogFields() {}
}
