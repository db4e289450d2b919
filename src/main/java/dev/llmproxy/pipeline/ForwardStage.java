package dev.llmproxy.pipeline;

import io.vertx.core.Future;

/**
 * The stage that obtains the upstream answer, without writing anything to the client: it completes with the
 * accepted answer for the {@link RelayStage}, or fails with the error to answer.
 *
 * @param <A> what it hands to the relay
 */
public interface ForwardStage<A> {

  String name();

  Future<A> forward(RequestContext ctx);
}
