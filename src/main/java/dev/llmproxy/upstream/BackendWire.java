package dev.llmproxy.upstream;

import dev.llmproxy.config.Backend;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClientResponse;

/**
 * The wire format of a backend type that is not a plain OpenAI/Anthropic HTTP API (AWS Bedrock): how the URL and
 * headers differ, how requests are signed, and how its answer is presented to the relay — steps of the upstream
 * call. {@link UpstreamClient} calls the wire registered for a backend's type; plain HTTP and echo backends have
 * none. (The request body a route receives is made earlier, per candidate, by the attempt's {@code PrepareBody}.)
 */
public interface BackendWire {

  /** A routed request, ready to send (URL for the call, headers, signature). May complete off the event loop. */
  Future<Outgoing> prepare(Outgoing plain, UpstreamRequest call);

  /** A request passed through unchanged but for what the backend requires (a signature). */
  Future<Outgoing> prepareRaw(Outgoing plain, Backend backend);

  /** How the relay sees a routed answer: e.g. a binary event stream presented as server-sent events. */
  HttpClientResponse adapt(HttpClientResponse response, UpstreamRequest call);
}
