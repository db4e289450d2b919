package dev.llmproxy.config;

import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.rules.Condition;
import dev.llmproxy.net.IpRange;
import dev.llmproxy.rules.RoutingRule;
import dev.llmproxy.rules.RoutingRules;
import dev.llmproxy.rules.TextPattern;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Compiles the sections about who the clients are and where their requests go before alias routing:
 * {@code client_keys:}, {@code passthrough:} and {@code routing_rules:}. Kept apart from {@link ConfigCompiler}
 * so that file only has to call in.
 */
final class ClientSections {

  /** The name a request authenticated with {@code proxy_api_key} has in rules and logs. */
  static final String DEFAULT_KEY_NAME = Snapshot.DEFAULT_KEY_NAME;
  static final Set<String> PASSTHROUGH_KEYS = Set.of("openai", "anthropic", "bedrock");
  static final Set<String> RULE_KEYS = Set.of("name", "match", "set_model");
  static final Set<String> MATCH_KEYS = Set.of("system_prompt", "header", "client_ip", "client_key", "model");

  private ClientSections() {}

  /** {@code client_keys: {team-a: "${TEAM_A_KEY}", ...}}: a key may not be set twice, nor be the proxy key. */
  static Map<String, Secret> clientKeys(ConfigNode node, Secret proxyKey) {
    Map<String, Secret> out = new LinkedHashMap<>();
    node.entries().forEach((name, keyNode) -> {
      String value = keyNode.string();
      if (value == null || value.isBlank()) {
        keyNode.error("must be a key (use ${VAR} to keep it out of the file)");
        return;
      }
      if (name.equals(DEFAULT_KEY_NAME)) {
        keyNode.error("\"" + DEFAULT_KEY_NAME + "\" is the name of proxy_api_key; choose another name");
        return;
      }
      Secret secret = new Secret(value.trim());
      boolean duplicate = (proxyKey != null && proxyKey.matches(secret.value()))
          || out.values().stream().anyMatch(s -> s.matches(secret.value()));
      if (duplicate) {
        keyNode.error("the same key is configured twice; each client key must be unique");
        return;
      }
      out.put(name, secret);
    });
    return out;
  }

  static PassthroughSettings passthrough(ConfigNode node, Map<String, Backend> backends) {
    if (node.isMissing()) {
      return PassthroughSettings.OFF;
    }
    if (!node.isMap()) {
      node.error("must be a mapping {openai: <backend>, anthropic: <backend>, bedrock: <backend>}");
      return PassthroughSettings.OFF;
    }
    node.warnUnknownKeys(PASSTHROUGH_KEYS);
    return new PassthroughSettings(
        passthroughBackend(node.get("openai"), backends, b -> b.type() == BackendType.HTTP
            && b.protocol() == Protocol.OPENAI, "an http backend with protocol: openai"),
        passthroughBackend(node.get("anthropic"), backends, b -> b.type() == BackendType.HTTP
            && b.protocol() == Protocol.ANTHROPIC, "an http backend with protocol: anthropic"),
        passthroughBackend(node.get("bedrock"), backends, b -> b.type() == BackendType.BEDROCK,
            "a backend with type: bedrock"));
  }

  private static String passthroughBackend(ConfigNode node, Map<String, Backend> backends,
      java.util.function.Predicate<Backend> fits, String what) {
    String name = node.string();
    if (name == null || name.isBlank()) {
      return null;
    }
    Backend backend = backends.get(name);
    if (backend == null) {
      node.error("unknown backend \"" + name + "\" (defined: " + backends.keySet() + ")");
      return null;
    }
    if (!fits.test(backend)) {
      node.error("backend \"" + name + "\" must be " + what);
      return null;
    }
    return name;
  }

  static RoutingRules routingRules(ConfigNode node, Set<String> aliases, Set<String> keyNames) {
    List<RoutingRule> rules = new ArrayList<>();
    Set<String> names = new java.util.HashSet<>();
    for (ConfigNode r : node.items()) {
      if (!r.isMap()) {
        r.error("must be a mapping with match: and set_model:");
        continue;
      }
      r.warnUnknownKeys(RULE_KEYS);
      String name = r.get("name").string(r.path());
      if (!names.add(name)) {
        r.get("name").error("duplicate rule name \"" + name + "\"");
      }
      String target = r.get("set_model").string();
      if (target == null || target.isBlank()) {
        r.get("set_model").error("required: the model alias matching requests are sent to");
      } else if (!aliases.contains(target)) {
        r.get("set_model").error("unknown model alias \"" + target + "\" (defined: " + aliases + ")");
      }
      List<Condition> conditions = conditions(r.get("match"), keyNames);
      if (conditions != null && target != null) {
        rules.add(new RoutingRule(name, conditions, target));
      }
    }
    return new RoutingRules(rules);
  }

  private static List<Condition> conditions(ConfigNode match, Set<String> keyNames) {
    if (match.isMissing()) {
      match.error("required: a mapping of conditions (system_prompt, header, client_ip, client_key, model);"
          + " {} matches every request");
      return null;
    }
    if (!match.isMap()) {
      match.error("must be a mapping of conditions (system_prompt, header, client_ip, client_key, model)");
      return null;
    }
    match.warnUnknownKeys(MATCH_KEYS);
    List<Condition> out = new ArrayList<>();
    ConfigNode prompt = match.get("system_prompt");
    if (!prompt.isMissing()) {
      pattern(prompt, TextPattern::parse).ifPresent(p -> out.add(new Condition.SystemPrompt(p)));
    }
    match.get("header").entries().forEach((header, valueNode) ->
        pattern(valueNode, TextPattern::parse).ifPresent(p -> out.add(new Condition.Header(header, p))));
    ConfigNode ip = match.get("client_ip");
    if (!ip.isMissing()) {
      List<IpRange> ranges = new ArrayList<>();
      for (ConfigNode item : ip.isList() ? ip.items() : List.of(ip)) {
        try {
          ranges.add(IpRange.parse(item.string("")));
        } catch (IllegalArgumentException e) {
          item.error(e.getMessage());
        }
      }
      out.add(new Condition.ClientIp(ranges));
    }
    ConfigNode key = match.get("client_key");
    if (!key.isMissing()) {
      List<String> wanted = new ArrayList<>();
      for (ConfigNode item : key.isList() ? key.items() : List.of(key)) {
        String name = item.string("");
        if (!keyNames.contains(name)) {
          item.error("unknown client key \"" + name + "\" (defined: " + keyNames + ")");
        }
        wanted.add(name);
      }
      out.add(new Condition.ClientKey(wanted));
    }
    ConfigNode model = match.get("model");
    if (!model.isMissing()) {
      pattern(model, TextPattern::exactOrRegex).ifPresent(p -> out.add(new Condition.Model(p)));
    }
    return out;
  }

  private static java.util.Optional<TextPattern> pattern(ConfigNode node, Function<String, TextPattern> parse) {
    try {
      return java.util.Optional.of(parse.apply(node.string("")));
    } catch (IllegalArgumentException e) {
      node.error(e.getMessage());
      return java.util.Optional.empty();
    }
  }

  /** Names a rule's {@code client_key} may use: the configured client keys, and "default" for proxy_api_key. */
  static Set<String> keyNames(Secret proxyKey, Map<String, Secret> clientKeys) {
    Set<String> names = new java.util.LinkedHashSet<>(clientKeys.keySet());
    if (proxyKey != null) {
      names.add(DEFAULT_KEY_NAME);
    }
    return names;
  }
}
