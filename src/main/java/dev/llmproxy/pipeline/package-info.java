/**
 * The request path as an ordered list of named {@link dev.llmproxy.pipeline.Stage}s over one
 * {@link dev.llmproxy.pipeline.RequestContext}. {@link dev.llmproxy.pipeline.ProxyPipeline} is the one place
 * that says what happens to a request, top to bottom.
 */
package dev.llmproxy.pipeline;
