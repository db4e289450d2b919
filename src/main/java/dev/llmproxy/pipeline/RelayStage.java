package dev.llmproxy.pipeline;

import io.vertx.core.Future;

/**
 * The stage that delivers the {@link ForwardStage}'s answer to the client: the only one that writes an upstream
 * answer. It owns what it is handed from the moment it is called, and releases it on every path.
 *
 * @param <A> what the forward stage hands over
 */
public interface RelayStage<A> {

  String name();

  /** Completes when the client response has ended (or the client went away). */
  Future<Void> relay(RequestContext ctx, A answer);
}
