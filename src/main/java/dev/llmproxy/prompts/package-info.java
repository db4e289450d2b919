/**
 * System prompt injection: the operator's per-alias prompt put into each request in the shape of its
 * protocol (OpenAI {@code messages}, Anthropic {@code system}, legacy completion {@code prompt}). The prompt
 * itself comes from the request's pinned snapshot ({@link dev.llmproxy.config.SystemPrompts}), so a reload
 * never changes it mid-request.
 */
package dev.llmproxy.prompts;
