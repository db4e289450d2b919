package dev.llmproxy.config;

import dev.llmproxy.net.IpRange;
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
    // Compiled patterns and address bytes have identity equality: compare these sections by their config text.
    if (!detectionText(before.detection()).equals(detectionText(after.detection()))) {
      settings.add("detection");
    }
    if (!before.fallback().equals(after.fallback())) {
      settings.add("fallback");
    }
    if (!before.rateLimit().equals(after.rateLimit())) {
      settings.add("rate_limit");
    }
    if (!before.concurrency().equals(after.concurrency())) {
      settings.add("concurrency");
    }
    if (!rangesText(before.trustedProxies()).equals(rangesText(after.trustedProxies()))) {
      settings.add("trusted_proxies");
    }
    if (!before.logging().equals(after.logging())) {
      settings.add("logging");
    }
    if (!before.shutdown().equals(after.shutdown())) {
      settings.add("shutdown");
    }
    if (!before.capture().equals(after.capture())) {
      settings.add("capture");
    }
    if (!before.clientKeys().equals(after.clientKeys())) {
      settings.add("client_keys");
    }
    if (!before.passthrough().equals(after.passthrough())) {
      settings.add("passthrough");
    }
    if (!before.routingRules().equals(after.routingRules())) {
      settings.add("routing_rules");
    }
    if (!before.server().equals(after.server())) {
      settings.add("server");
    }
    if (!before.ui().equals(after.ui())) {
      settings.add("ui");
    }
    List<String> restart = new ArrayList<>();
    if (!Objects.equals(before.listen(), after.listen())) {
      restart.add("listen " + before.listen() + " -> " + after.listen());
    }
    restart.addAll(CaptureSettings.restartNeeded(before.capture(), after.capture()));
    if (!before.cluster().equals(after.cluster())) {
      restart.add("cluster");  // the Redis connection and its scope are set up once, at start
    }
    return new ConfigDiff(aliasesAdded, aliasesRemoved, aliasesModified, backendsAdded, backendsRemoved,
        backendsModified, prompts, settings, restart);
  }

  private static List<String> detectionText(dev.llmproxy.detection.DetectionRules rules) {
    List<String> out = new ArrayList<>();
    rules.errorCodes().forEach(c -> out.add(c.text()));
    out.add("|");
    rules.errorPatterns().forEach(p -> out.add(p.text()));
    return out;
  }

  private static List<String> rangesText(TrustedProxies proxies) {
    return proxies.ranges().stream().map(IpRange::text).toList();
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
