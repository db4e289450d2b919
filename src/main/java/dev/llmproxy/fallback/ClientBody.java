package dev.llmproxy.fallback;

import dev.llmproxy.routing.Candidate;
import io.vertx.core.json.JsonObject;

/**
 * The body, in the client's protocol, that a candidate is to receive before {@link PrepareBody} makes it that
 * route's: the client's own request, or, once an answer broke after part of it reached the client, a continuation
 * of it (mid-stream recovery: the request plus the text already delivered, for a route that takes a prefill).
 */
@FunctionalInterface
public interface ClientBody {

  /** @return a body the caller will not change (a preparation copies it) */
  JsonObject forRoute(Candidate route);
}
