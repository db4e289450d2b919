package dev.llmproxy.fallback;

import dev.llmproxy.config.BackendType;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.buffer.Buffer;

/**
 * Makes the request body one candidate receives from the client's (parsed once, in {@code parse}). The seam where
 * a route's needs enter: today the real model replaces the alias, and a backend type with its own body format
 * (Bedrock) makes its own; protocol translation and mid-stream continuation (a prefilled assistant turn) plug in
 * here, per candidate, without touching the loop.
 */
@FunctionalInterface
public interface PrepareBody {

  /** The client's body, with the route's real model in place of the alias. */
  PrepareBody REAL_MODEL = (ctx, route) -> ctx.body().copy().put("model", route.model()).toBuffer();

  Buffer prepare(RequestContext ctx, Candidate route);

  /** This preparation, except for the routes to a backend of the given type, which get {@code theirs}. */
  default PrepareBody forBackendType(BackendType type, PrepareBody theirs) {
    return (ctx, route) -> route.backend().type() == type ? theirs.prepare(ctx, route) : prepare(ctx, route);
  }
}
