package dev.llmproxy.config;

import java.util.Locale;
import java.util.Optional;

/** Where an alias' system prompt goes relative to the client's own system message. */
public enum PromptMode {
  /** Ours first, then the client's, in the same system message. The default. */
  PREPEND,
  /** The client's first, then ours, in the same system message. */
  APPEND,
  /** Ours only: the client's system message(s) are dropped. */
  REPLACE;

  public static Optional<PromptMode> parse(String text) {
    return switch (text == null ? "" : text.trim().toLowerCase(Locale.ROOT)) {
      case "prepend" -> Optional.of(PREPEND);
      case "append" -> Optional.of(APPEND);
      case "replace" -> Optional.of(REPLACE);
      default -> Optional.empty();
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
