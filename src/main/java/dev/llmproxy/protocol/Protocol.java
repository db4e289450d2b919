package dev.llmproxy.protocol;

import java.util.Locale;
import java.util.Optional;

/** Wire protocol of a client endpoint or of a backend. */
public enum Protocol {
  OPENAI,
  ANTHROPIC;

  public static Optional<Protocol> parse(String text) {
    return switch (text == null ? "" : text.toLowerCase(Locale.ROOT)) {
      case "openai" -> Optional.of(OPENAI);
      case "anthropic" -> Optional.of(ANTHROPIC);
      default -> Optional.empty();
    };
  }

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }
}
