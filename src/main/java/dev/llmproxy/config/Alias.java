package dev.llmproxy.config;

import java.util.List;

/**
 * A model name clients ask for, and the routes that can serve it (sorted by priority, ascending).
 *
 * @param midstreamRecovery whether a stream that breaks after content reached the client is continued on the next
 *     route; null: as {@code fallback.midstream_recovery} says
 */
public record Alias(String name, List<Route> routes, Boolean midstreamRecovery) {

  public Alias {
    routes = List.copyOf(routes);
  }

  /** An alias that follows the global {@code fallback.midstream_recovery}. */
  public Alias(String name, List<Route> routes) {
    this(name, routes, null);
  }
}
