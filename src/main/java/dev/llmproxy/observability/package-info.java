/**
 * Observability: trace ids, request-scoped structured log lines (access line, forward failures), logback set-up
 * from the {@code logging:} section with secret masking, token usage extraction, Prometheus metrics, and the
 * operator endpoints {@code /health}, {@code /livez}, {@code /metrics}.
 */
package dev.llmproxy.observability;
