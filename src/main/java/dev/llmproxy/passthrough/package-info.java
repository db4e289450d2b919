/**
 * The transparent mode ({@code passthrough:}): requests the proxy does not route by alias — a model that is no
 * alias, {@code /v1/responses} and every other path under {@code /v1}, Claude Code's Bedrock calls — go to one
 * backend as the client made them (method, path, query, body bytes, the client's own key when the backend has
 * {@code credentials: client}), and the answer comes back byte for byte ({@link dev.llmproxy.relay.RawRelay}).
 * {@link dev.llmproxy.passthrough.Passthrough} is the forward of such a request, the pipeline's other way to an
 * answer ({@link dev.llmproxy.pipeline.ProxyPipeline#divert}). The same drain gate, authentication, body cap, rate
 * limits, concurrency slots, timeouts, trace ids, access log and metrics apply as to routed requests; there is no
 * fallback and no error detection: the provider's answer is the answer.
 */
package dev.llmproxy.passthrough;
