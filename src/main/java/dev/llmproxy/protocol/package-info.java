/**
 * The two client/provider protocols the gateway speaks (OpenAI, Anthropic): their endpoints, their error
 * shapes, and the {@link dev.llmproxy.protocol.ApiError} that stages fail with to short-circuit a request.
 */
package dev.llmproxy.protocol;
