/**
 * OpenAI chat.completions ⇄ Anthropic messages translation: requests, non-stream responses, stream events (a
 * stateful translator per stream), errors, the Anthropic model list and a token estimate for count_tokens.
 * Pure functions over parsed JSON; no I/O, no Vert.x context. {@link dev.llmproxy.translation.Translation} is the
 * entry point; the field mapping and its lossy corners are in docs/translation.md.
 */
package dev.llmproxy.translation;
