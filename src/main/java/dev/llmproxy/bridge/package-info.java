/**
 * The protocol bridge: OpenAI ⇄ Anthropic translation ({@code translation/}) and demotion ({@code demotion/}) on
 * the request path, at the attempt core's seams. Per candidate, {@link dev.llmproxy.bridge.BackendBody} makes the
 * body in the route's protocol (a continuation after a mid-stream break alike); per accepted route,
 * {@link dev.llmproxy.bridge.AnswerTranslation} maps its answer, events and errors back to the client's; for an
 * operation the route's protocol lacks, {@link dev.llmproxy.bridge.EstimatedTokenCount} answers count_tokens with
 * an estimate. A route that speaks the client's protocol is untouched: its answer is relayed byte for byte.
 */
package dev.llmproxy.bridge;
