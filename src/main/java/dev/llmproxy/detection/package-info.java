/**
 * Error detection: deciding whether an upstream answer is a failure, and of which {@link
 * dev.llmproxy.detection.FailureClass}. Pure functions over status, headers and body; the retry policy acting on
 * the verdict lives in {@code fallback}.
 */
package dev.llmproxy.detection;
