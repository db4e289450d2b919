package dev.llmproxy.routing;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Route;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;

/** One route to try: the alias it serves, the backend, and the real model to ask that backend for. */
public record Candidate(String alias, Backend backend, Route route) {

  public String model() {
    return route.model();
  }

  /** Key of runtime state that follows a route across reloads (cooldowns, counters). */
  public String key() {
    return backend.name() + "/" + route.model();
  }

  /** Whether a request of this client protocol is translated for this route's backend. */
  public boolean translates(Protocol client) {
    return !backend.speaks(client);
  }

  /**
   * The backend operation this route is called with for the client's {@code endpoint}: the same one when the
   * backend speaks the client's protocol, else its counterpart in the backend's (chat completions ⇄ messages);
   * null when there is none (see {@link AliasResolver#cannotServe}).
   */
  public Endpoint call(Endpoint endpoint) {
    return translates(endpoint.protocol()) ? endpoint.counterpartIn(backend.protocol()) : endpoint;
  }

  /** The protocol this route answers a request of the client's {@code endpoint} in. */
  public Protocol answers(Endpoint endpoint) {
    return translates(endpoint.protocol()) ? backend.protocol() : endpoint.protocol();
  }

  @Override
  public String toString() {
    return key();
  }
}
