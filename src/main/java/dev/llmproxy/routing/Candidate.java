package dev.llmproxy.routing;

import dev.llmproxy.config.Backend;
import dev.llmproxy.config.Route;

/** One route to try: the alias it serves, the backend, and the real model to ask that backend for. */
public record Candidate(String alias, Backend backend, Route route) {

  public String model() {
    return route.model();
  }

  /** Key of runtime state that follows a route across reloads (cooldowns, counters). */
  public String key() {
    return backend.name() + "/" + route.model();
  }

  @Override
  public String toString() {
    return key();
  }
}
