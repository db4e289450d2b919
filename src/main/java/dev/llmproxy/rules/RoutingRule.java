package dev.llmproxy.rules;

import java.util.List;

/** One entry of {@code routing_rules:}: when every condition holds, the request uses the alias {@code setModel}. */
public record RoutingRule(String name, List<Condition> conditions, String setModel) {

  public RoutingRule {
    conditions = List.copyOf(conditions);
  }

  public boolean matches(RuleInput in) {
    for (Condition c : conditions) {
      if (!c.test(in)) {
        return false;
      }
    }
    return true;
  }
}
