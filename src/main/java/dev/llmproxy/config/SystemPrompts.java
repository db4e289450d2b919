package dev.llmproxy.config;

import java.util.Map;
import java.util.Optional;

/**
 * The system prompts in force, by alias. Empty when {@code proxy.enable_system_prompt} is off.
 *
 * @param filesChecksum digest of the prompt directory as read for this snapshot (even when injection is off),
 *     so the watcher can tell whether the files changed since
 */
public record SystemPrompts(Map<String, SystemPrompt> byAlias, String filesChecksum) {

  public SystemPrompts {
    byAlias = Map.copyOf(byAlias);
  }

  /** No prompts; for snapshots built by hand (tests of other stages). */
  public static SystemPrompts none() {
    return new SystemPrompts(Map.of(), PromptFiles.empty(null).checksum());
  }

  public Optional<SystemPrompt> forAlias(String alias) {
    return Optional.ofNullable(byAlias.get(alias));
  }
}
