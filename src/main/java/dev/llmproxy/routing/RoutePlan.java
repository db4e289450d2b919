package dev.llmproxy.routing;

import java.util.List;

/**
 * The candidates of one alias in the order they are to be tried, and the routes left out with the reason
 * (disabled backend, other protocol, ...), so an error can say what was not tried and why.
 */
public record RoutePlan(String alias, List<Candidate> candidates, List<String> skipped) {

  public RoutePlan {
    candidates = List.copyOf(candidates);
    skipped = List.copyOf(skipped);
  }
}
