/**
 * The request path's vocabulary: {@link dev.llmproxy.pipeline.RequestContext} (what one request accumulates),
 * {@link dev.llmproxy.pipeline.RequestScope} (its cancellation and deadline on the injected clock), and the
 * stages: ordered {@link dev.llmproxy.pipeline.Stage}s, then a {@link dev.llmproxy.pipeline.ForwardStage} that
 * obtains an answer and a {@link dev.llmproxy.pipeline.RelayStage} that delivers it.
 * {@link dev.llmproxy.pipeline.ProxyPipeline} runs them, and is the one place a bug (an exception of the proxy's
 * own, wherever it was thrown) is answered. Feature packages implement stages over this package; nothing here
 * knows a feature.
 */
package dev.llmproxy.pipeline;
