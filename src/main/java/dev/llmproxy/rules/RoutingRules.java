package dev.llmproxy.rules;

import java.util.List;
import java.util.Optional;

/** The ordered rules of one config snapshot; the first that matches wins. */
public record RoutingRules(List<RoutingRule> rules) {

  public static final RoutingRules NONE = new RoutingRules(List.of());

  public RoutingRules {
    rules = List.copyOf(rules);
  }

  public Optional<RoutingRule> firstMatch(RuleInput in) {
    for (RoutingRule rule : rules) {
      if (rule.matches(in)) {
        return Optional.of(rule);
      }
    }
    return Optional.empty();
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }
}
