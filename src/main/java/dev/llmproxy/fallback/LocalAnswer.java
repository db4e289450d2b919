package dev.llmproxy.fallback;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.Future;

/**
 * An answer a route gives without calling its backend, for an operation the backend's protocol lacks
 * (count_tokens on an OpenAI route: the proxy's estimate). The attempt asks before it sends anything; the answer
 * is then judged accepted and relayed like the backend's own.
 */
@FunctionalInterface
public interface LocalAnswer {

  /** Every route is called. */
  LocalAnswer NONE = (ctx, route) -> null;

  /**
   * @return the answer (its exchange null), or null when the route is to be called; a future failed with an
   *     {@link dev.llmproxy.protocol.ApiError} is the client's answer as is
   */
  Future<Accepted.Whole> answer(RequestContext ctx, Candidate route);
}
