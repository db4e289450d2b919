package dev.llmproxy.config;

import java.util.List;

/** A model name clients ask for, and the routes that can serve it (sorted by priority, ascending). */
public record Alias(String name, List<Route> routes) {

  public Alias {
    routes = List.copyOf(routes);
  }
}
