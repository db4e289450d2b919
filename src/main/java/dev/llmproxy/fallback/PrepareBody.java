package dev.llmproxy.fallback;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.buffer.Buffer;

/**
 * Makes the request body one candidate receives from the client's (parsed once, in {@code parse}). The seam where
 * a route's needs enter: today the real model replaces the alias; protocol translation and mid-stream
 * continuation (a prefilled assistant turn) plug in here, per candidate, without touching the loop.
 */
@FunctionalInterface
public interface PrepareBody {

  /** The client's body, with the route's real model in place of the alias. */
  PrepareBody REAL_MODEL = (ctx, route) -> ctx.body().copy().put("model", route.model()).toBuffer();

  Buffer prepare(RequestContext ctx, Candidate route);
}
