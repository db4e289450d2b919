package dev.llmproxy.fallback;

import dev.llmproxy.config.BackendType;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * Makes the request body one candidate receives from a body in the client's protocol: the client's own (parsed
 * once, in {@code parse}), or a continuation of it ({@link ClientBody}). The seam where a route's needs enter:
 * today the real model replaces the alias, and a backend type with its own body format (Bedrock) makes its own;
 * protocol translation plugs in here, per candidate, without touching the loop. Each preparation works on the body
 * it is given, so a continuation is prepared for a route like any request (a Bedrock route gets it in Bedrock's
 * format).
 */
@FunctionalInterface
public interface PrepareBody {

  /** The body with the route's real model in place of the alias. */
  PrepareBody REAL_MODEL = (ctx, body, route) -> body.copy().put("model", route.model()).toBuffer();

  /** @param body in the client's protocol; not to be changed (it is the request's, or shared by candidates) */
  Buffer prepare(RequestContext ctx, JsonObject body, Candidate route);

  /** This preparation, except for the routes to a backend of the given type, which get {@code theirs}. */
  default PrepareBody forBackendType(BackendType type, PrepareBody theirs) {
    return (ctx, body, route) -> route.backend().type() == type
        ? theirs.prepare(ctx, body, route) : prepare(ctx, body, route);
  }
}
