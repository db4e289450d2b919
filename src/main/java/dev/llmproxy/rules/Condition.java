package dev.llmproxy.rules;

import dev.llmproxy.net.IpRange;
import java.util.List;

/** One part of a rule's {@code match:}; a rule matches when all of its conditions do. */
public sealed interface Condition {

  boolean test(RuleInput in);

  /** {@code system_prompt}: the system prompt text (all system parts joined by a newline). */
  record SystemPrompt(TextPattern pattern) implements Condition {
    @Override
    public boolean test(RuleInput in) {
      return pattern.matches(in.systemPrompt().get());
    }
  }

  /** {@code header: {Name: pattern}}: the header is present and its value matches. */
  record Header(String name, TextPattern pattern) implements Condition {
    @Override
    public boolean test(RuleInput in) {
      return pattern.matches(in.header().apply(name));
    }
  }

  /** {@code client_ip}: the client address (after {@code trusted_proxies}) is in one of the ranges. */
  record ClientIp(List<IpRange> ranges) implements Condition {
    public ClientIp {
      ranges = List.copyOf(ranges);
    }

    @Override
    public boolean test(RuleInput in) {
      return ranges.stream().anyMatch(r -> r.contains(in.clientIp()));
    }
  }

  /** {@code client_key}: the request authenticated with one of these named keys. */
  record ClientKey(List<String> names) implements Condition {
    public ClientKey {
      names = List.copyOf(names);
    }

    @Override
    public boolean test(RuleInput in) {
      return in.clientKey() != null && names.contains(in.clientKey());
    }
  }

  /** {@code model}: the model the client asked for (exact name, or {@code /regex/}). */
  record Model(TextPattern pattern) implements Condition {
    @Override
    public boolean test(RuleInput in) {
      return pattern.matches(in.model());
    }
  }
}
