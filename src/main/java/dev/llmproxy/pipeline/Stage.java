package dev.llmproxy.pipeline;

import io.vertx.core.Future;

/**
 * One step of the request path before the forward. A stage completes its future to pass the request on, or fails
 * it with an {@link dev.llmproxy.protocol.ApiError} to answer the client with that error and stop. Stages never
 * write an upstream answer: only the {@link RelayStage} does.
 */
public interface Stage {

  String name();

  Future<Void> apply(RequestContext ctx);
}
