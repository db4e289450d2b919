package dev.llmproxy.upstream;

import dev.llmproxy.config.Backend;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;

/**
 * The wire format of a backend type that is not a plain OpenAI/Anthropic HTTP API (AWS Bedrock): how the
 * request body, URL and headers differ, how requests are signed, and how its answer is presented to the relay.
 * {@link UpstreamClient} calls the wire registered for a backend's type; plain HTTP and echo backends have none.
 */
public interface BackendWire {

  /** The body of a routed request for this backend (the client's body with the route's model). */
  Buffer body(JsonObject clientBody, Candidate candidate, MultiMap clientHeaders);

  /** A routed request, ready to send (URL for the call, headers, signature). May complete off the event loop. */
  Future<Outgoing> prepare(Outgoing plain, UpstreamRequest call);

  /** A request passed through unchanged but for what the backend requires (a signature). */
  Future<Outgoing> prepareRaw(Outgoing plain, Backend backend);

  /** How the relay sees a routed answer: e.g. a binary event stream presented as server-sent events. */
  HttpClientResponse adapt(HttpClientResponse response, UpstreamRequest call);
}
