package dev.llmproxy.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * What a reload changes, by name: aliases and backends added, removed or modified, system prompts changed,
 * other settings changed, and what only a restart can apply. Pure; compares compiled snapshots, so a change of
 * formatting or comments is no change.
 */
public record ConfigDiff(
    List<String> aliasesAdded,
    List<String> aliasesRemoved,
    List<String> aliasesModified,
    List<String> backendsAdded,
    List<String> backendsRemoved,
    List<String> backendsModified,
    List<String> promptsChanged,
    List<String> settingsChanged,
    List<String> needsRestart) {

  public ConfigDiff {
    aliasesAdded = List.copyOf(aliasesAdded);
    aliasesRemoved = List.copyOf(aliasesRemoved);
    aliasesModified = List.copyOf(aliasesModified);
    backendsAdded = List.copyOf(backendsAdded);
    backendsRemoved = List.copyOf(backendsRemoved);
    backendsModified = List.copyOf(backendsModified);
    promptsChanged = List.copyOf(promptsChanged);
    settingsChanged = List.copyOf(settingsChanged);
    needsRestart = List.copyOf(needsRestart);
  }

  public static ConfigDiff between(Snapshot before, Snapshot after) {
    List<String> aliasesAdded = new ArrayList<>();
    List<String> aliasesRemoved = new ArrayList<>();
    List<String> aliasesModified = new ArrayList<>();
    compare(before.aliases(), after.aliases(), aliasesAdded, aliasesRemoved, aliasesModified);
    List<String> backendsAdded = new ArrayList<>();
    List<String> backendsRemoved = new ArrayList<>();
    List<String> backendsModified = new ArrayList<>();
    compare(before.backends(), after.backends(), backendsAdded, backendsRemoved, backendsModified);

    List<String> prompts = new ArrayList<>();
    Map<String, SystemPrompt> was = before.systemPrompts().byAlias();
    Map<String, SystemPrompt> now = after.systemPrompts().byAlias();
    for (String alias : union(was, now)) {
      if (!Objects.equals(was.get(alias), now.get(alias))) {
        prompts.add(alias);
      }
    }

    List<String> settings = new ArrayList<>();
    if (!Objects.equals(before.proxyApiKey(), after.proxyApiKey())) {
      settings.add("proxy_api_key");
    }
    if (before.allowUnauthenticated() != after.allowUnauthenticated()) {
      settings.add("allow_unauthenticated");
    }
    if (!before.proxy().equals(after.proxy())) {
      settings.add("proxy");
    }
    if (!before.reload().equals(after.reload())) {
      settings.add("proxy.watch_interval");
    }
    if (!before.timeouts().equals(after.timeouts())) {
      settings.add("timeout");
    }
    List<String> restart = new ArrayList<>();
    if (!Objects.equals(before.listen(), after.listen())) {
      restart.add("listen " + before.listen() + " -> " + after.listen());
    }
    return new ConfigDiff(aliasesAdded, aliasesRemoved, aliasesModified, backendsAdded, backendsRemoved,
        backendsModified, prompts, settings, restart);
  }

  private static <T> void compare(
      Map<String, T> before, Map<String, T> after, List<String> added, List<String> removed, List<String> modified) {
    for (Map.Entry<String, T> e : after.entrySet()) {
      T old = before.get(e.getKey());
      if (old == null) {
        added.add(e.getKey());
      } else if (!old.equals(e.getValue())) {
        modified.add(e.getKey());
      }
    }
    for (String name : before.keySet()) {
      if (!after.containsKey(name)) {
        removed.add(name);
      }
    }
  }

  private static List<String> union(Map<String, ?> a, Map<String, ?> b) {
    List<String> names = new ArrayList<>(a.keySet());
    b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(names::add);
    return names;
  }

  public boolean isEmpty() {
    return summary().equals("no changes");
  }

  /** One line for the log, e.g. {@code aliases modified [gpt-4]; backends added [azure]}. */
  public String summary() {
    StringJoiner out = new StringJoiner("; ");
    part(out, "aliases added", aliasesAdded);
    part(out, "aliases removed", aliasesRemoved);
    part(out, "aliases modified", aliasesModified);
    part(out, "backends added", backendsAdded);
    part(out, "backends removed", backendsRemoved);
    part(out, "backends modified", backendsModified);
    part(out, "system prompts changed", promptsChanged);
    part(out, "settings changed", settingsChanged);
    part(out, "needs a restart (ignored until then)", needsRestart);
    return out.length() == 0 ? "no changes" : out.toString();
  }

  private static void part(StringJoiner out, String label, List<String> names) {
    if (!names.isEmpty()) {
      out.add(label + " " + names);
    }
  }
}
