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

  /**
   * The body with the route's real model in place of the alias: the client's own bytes with only the model value
   * replaced, while those bytes are the request (no stage changed the body); else the body re-encoded.
   */
  PrepareBody REAL_MODEL = new RealModel();

  /** @param body in the client's protocol; not to be changed (it is the request's, or shared by candidates) */
  Buffer prepare(RequestContext ctx, JsonObject body, Candidate route);

  /**
   * The client's own request for {@code route} (no continuation). By default the decoded body, prepared as any
   * body; a preparation that can work on the client's bytes ({@link #REAL_MODEL}) does so, and the body is then
   * never decoded.
   */
  default Buffer prepareOriginal(RequestContext ctx, Candidate route) {
    return prepare(ctx, ctx.body(), route);
  }

  /** This preparation, except for the routes to a backend of the given type, which get {@code theirs}. */
  default PrepareBody forBackendType(BackendType type, PrepareBody theirs) {
    PrepareBody ours = this;
    return new PrepareBody() {
      @Override
      public Buffer prepare(RequestContext ctx, JsonObject body, Candidate route) {
        return route.backend().type() == type ? theirs.prepare(ctx, body, route) : ours.prepare(ctx, body, route);
      }

      @Override
      public Buffer prepareOriginal(RequestContext ctx, Candidate route) {
        return route.backend().type() == type ? theirs.prepareOriginal(ctx, route) : ours.prepareOriginal(ctx, route);
      }
    };
  }
}
