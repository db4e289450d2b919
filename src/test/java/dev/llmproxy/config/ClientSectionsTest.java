package dev.llmproxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.support.ConfigFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client-integration sections: passthrough, credentials: client, bedrock backends, client_keys, routing_rules. */
class ClientSectionsTest {

  @TempDir Path dir;

  private Snapshot load(String yaml, Map<String, String> env) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, yaml);
    return ConfigFiles.load(file, env);
  }

  private String problems(String yaml) {
    return String.join("\n", assertThrows(ConfigException.class, () -> load(yaml, Map.of())).problems());
  }

  @Test
  void transparentModeNeedsNoAliasesAndForwardsTheClientsKey() throws Exception {
    Snapshot s = load("""
        backends:
          - {name: openai, url: https://api.openai.com/v1, credentials: client}
        passthrough: {openai: openai}
        """, Map.of());
    assertTrue(s.passthrough().enabled());
    assertTrue(s.backends().get("openai").forwardsClientKey());
    assertTrue(s.aliases().isEmpty());
    assertTrue(problems("backends: [{name: a, url: http://h/v1}]").contains("at least one model alias is required"));
  }

  @Test
  void credentialsClientCannotBeCombinedWithProxyKeysOrAnApiKey() {
    String p = problems("""
        proxy_api_key: proxy-key-123
        backends:
          - {name: o, url: https://h/v1, credentials: client, api_key: sk-1234567890}
          - {name: x, url: https://h/v1, credentials: sometimes}
        passthrough: {openai: o, anthropic: o, bedrock: missing}
        """);
    assertTrue(p.contains("backends[0].api_key: credentials: client forwards the client's own key"), p);
    assertTrue(p.contains("backends[1].credentials: must be backend"), p);
    assertTrue(p.contains("backend \"o\" has credentials: client, which forwards the client's own key and cannot be"
        + " combined with proxy_api_key"), p);
    assertTrue(p.contains("passthrough.anthropic: backend \"o\" must be an http backend with protocol: anthropic"), p);
    assertTrue(p.contains("passthrough.bedrock: unknown backend \"missing\""), p);
  }

  @Test
  void bedrockBackendDefaultsItsUrlFromTheRegionAndValidatesItsKeys() throws Exception {
    Snapshot s = load("""
        backends:
          - {name: aws, type: bedrock, region: eu-central-1}
          - {name: keys, type: bedrock, region: us-east-1, access_key_id: "${K}", secret_access_key: "${S}"}
        models: {c: [{backend: aws, model: anthropic.claude-v2}]}
        """, Map.of());
    Backend aws = s.backends().get("aws");
    assertEquals("https://bedrock-runtime.eu-central-1.amazonaws.com", aws.url());
    assertEquals("anthropic", aws.protocol().id());
    assertEquals("default chain", aws.bedrock().credentialSource());
    Backend keys = s.backends().get("keys");
    assertFalse(keys.enabled(), "a static key from an unset variable disables the backend, like api_key");
    assertTrue(keys.disabledReason().contains("K"), keys.disabledReason());
    assertFalse(keys.bedrock().toString().contains("${"), keys.bedrock().toString());

    String p = problems("""
        backends:
          - {name: a, type: bedrock}
          - {name: b, type: bedrock, region: Frankfurt, protocol: openai}
          - {name: c, type: bedrock, region: us-east-1, profile: p, access_key_id: AKIA0000000000000000}
          - {name: d, type: bedrock, region: us-east-1, api_key: sk-123456789}
          - {name: e, type: bedrock, region: us-east-1, credentials: client}
        models: {m: [{backend: a, model: x}]}
        """);
    assertTrue(p.contains("backends[0].region: required for a bedrock backend"), p);
    assertTrue(p.contains("backends[1].protocol: a bedrock backend serves Anthropic models"), p);
    assertTrue(p.contains("backends[2].secret_access_key: static AWS keys need both"), p);
    assertTrue(p.contains("backends[2].profile: use either a profile or static keys, not both"), p);
    assertTrue(p.contains("backends[3].api_key: a bedrock backend signs with AWS credentials"), p);
    assertTrue(p.contains("backends[4].credentials: a bedrock backend signs with its own AWS credentials"), p);
  }

  @Test
  void clientKeysAndRoutingRulesCompile() throws Exception {
    Snapshot s = load("""
        proxy_api_key: proxy-key-123
        client_keys: {team-b: "team-b-key-456"}
        backends: [{name: local, type: echo}]
        models: {cheap: [{backend: local}], main: [{backend: local}]}
        routing_rules:
          - name: b-is-cheap
            match: {client_key: [team-b, default], client_ip: 10.0.0.0/8, header: {X-Agent: reviewer}}
            set_model: cheap
          - match: {}
            set_model: main
        """, Map.of());
    assertEquals(List.of("team-b"), List.copyOf(s.clientKeys().keySet()));
    assertEquals(2, s.routingRules().rules().size());
    assertEquals("routing_rules[1]", s.routingRules().rules().get(1).name(), "an unnamed rule is named by its path");
    assertEquals(3, s.routingRules().rules().get(0).conditions().size());
    assertNull(s.routingRules().rules().get(1).conditions().stream().findAny().orElse(null), "{} matches all");

    String p = problems("""
        proxy_api_key: same-key-123
        client_keys: {default: "x-key-123456", twin: "same-key-123"}
        backends: [{name: local, type: echo}]
        models: {m: [{backend: local}]}
        routing_rules:
          - {name: r, match: {client_ip: "not-an-ip", model: "/[/"}, set_model: m}
          - {name: r, set_model: m}
        """);
    assertTrue(p.contains("client_keys[\"default\"]: \"default\" is the name of proxy_api_key"), p);
    assertTrue(p.contains("client_keys[\"twin\"]: the same key is configured twice"), p);
    assertTrue(p.contains("routing_rules[0].match.client_ip: must be an IP address or CIDR range"), p);
    assertTrue(p.contains("routing_rules[0].match.model: invalid regular expression /[/"), p);
    assertTrue(p.contains("routing_rules[1].name: duplicate rule name \"r\""), p);
    assertTrue(p.contains("routing_rules[1].match: required"), p);
  }

  @Test
  void reloadDiffNamesTheClientSections() throws Exception {
    String base = """
        backends: [{name: local, type: echo}, {name: o, url: https://h/v1, credentials: client}]
        models: {a: [{backend: local}], b: [{backend: local}]}
        routing_rules: [{match: {model: "/^gpt/", client_ip: 10.0.0.0/8}, set_model: a}]
        """;
    Snapshot before = load(base, Map.of());
    assertEquals(List.of(), ConfigDiff.between(before, load(base, Map.of())).settingsChanged(),
        "the same rules compiled twice are equal");
    Snapshot after = load(base.replace("set_model: a", "set_model: b") + "passthrough: {openai: o}\n", Map.of());
    assertEquals(List.of("passthrough", "routing_rules"), ConfigDiff.between(before, after).settingsChanged());
  }
}
