package dev.llmproxy.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A credential from the config. Its {@code toString()} never reveals the value, so a secret that ends up in a
 * log statement or an exception message by accident is still masked.
 */
public record Secret(String value) {

  public Secret {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a secret must not be empty");
    }
  }

  /** Constant-time comparison, so response timing does not reveal how many leading characters matched. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  /** A hint safe to show operators: the first characters of well-known key prefixes, never the key. */
  public String masked() {
    String prefix = value.startsWith("sk-ant-") ? "sk-ant-" : value.startsWith("sk-") ? "sk-" : "";
    return prefix + "****";
  }

  @Override
  public String toString() {
    return "[REDACTED]";
  }
}
