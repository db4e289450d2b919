package dev.llmproxy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.llmproxy.config.Snapshot;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.support.Snapshots;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which routes a request's plan holds: any enabled backend that serves the client's operation natively or through
 * translation, each called with its own protocol's operation; the others skipped with the reason.
 */
class AliasResolverTest {

  private Snapshot snapshot;
  private final AliasResolver resolver = new AliasResolver(() -> new SplittableRandom(1));

  @BeforeEach
  void load(@TempDir Path dir) throws Exception {
    snapshot = Snapshots.load(dir, """
        listen: "127.0.0.1:0"
        backends:
          - {name: oa, url: "http://127.0.0.1:9", protocol: openai}
          - {name: an, url: "http://127.0.0.1:9", protocol: anthropic}
          - {name: both, type: echo}
          - {name: echo-an, type: echo, protocol: anthropic}
          - {name: "off", url: "http://127.0.0.1:9", enabled: false}
        models:
          m:
            - {backend: oa, model: o, priority: 1}
            - {backend: an, model: a, priority: 2}
            - {backend: both, model: b, priority: 3}
            - {backend: echo-an, model: e, priority: 4}
            - {backend: "off", model: x, priority: 5}
        """);
  }

  private RoutePlan plan(Endpoint endpoint) {
    return resolver.plan(snapshot, snapshot.aliases().get("m"), endpoint);
  }

  private static List<String> keys(RoutePlan plan) {
    return plan.candidates().stream().map(Candidate::key).toList();
  }

  @Test
  void chatAndMessagesReachEveryEnabledRouteOfEitherProtocol() {
    for (Endpoint endpoint : List.of(Endpoint.CHAT_COMPLETIONS, Endpoint.MESSAGES)) {
      RoutePlan plan = plan(endpoint);
      assertEquals(List.of("oa/o", "an/a", "both/b", "echo-an/e"), keys(plan), endpoint.name());
      assertEquals(List.of("off/x (backend disabled: enabled: false)"), plan.skipped());
    }
  }

  @Test
  void eachRouteIsCalledWithItsOwnProtocolsOperation() {
    List<Candidate> chat = plan(Endpoint.CHAT_COMPLETIONS).candidates();
    assertEquals(List.of(Endpoint.CHAT_COMPLETIONS, Endpoint.MESSAGES, Endpoint.CHAT_COMPLETIONS, Endpoint.MESSAGES),
        chat.stream().map(c -> c.call(Endpoint.CHAT_COMPLETIONS)).toList());
    assertEquals(List.of(Protocol.OPENAI, Protocol.ANTHROPIC, Protocol.OPENAI, Protocol.ANTHROPIC),
        chat.stream().map(c -> c.answers(Endpoint.CHAT_COMPLETIONS)).toList(),
        "the echo backend answers in the client's protocol unless it declares one");
    assertEquals(List.of(false, true, false, true),
        chat.stream().map(c -> c.translates(Protocol.OPENAI)).toList());
  }

  @Test
  void operationsWithoutAnAnthropicCounterpartSkipAnthropicRoutesAndSayWhy() {
    RoutePlan responses = plan(Endpoint.RESPONSES);
    assertEquals(List.of("oa/o", "both/b"), keys(responses));
    assertEquals("an/a (backend speaks anthropic, request is openai; the Responses API is not translated to"
        + " Anthropic; call this alias through /v1/chat/completions or /v1/messages)", responses.skipped().get(0));
    assertEquals(List.of("oa/o", "both/b"), keys(plan(Endpoint.EMBEDDINGS)));
    assertEquals("an/a (backend speaks anthropic, request is openai; Anthropic has no embeddings endpoint)",
        plan(Endpoint.EMBEDDINGS).skipped().get(0));
    assertEquals(List.of("oa/o", "both/b"), keys(plan(Endpoint.COMPLETIONS)));
  }

  @Test
  void countTokensKeepsOpenAiRoutesWhichAnswerWithTheProxysEstimate() {
    List<Candidate> count = plan(Endpoint.COUNT_TOKENS).candidates();
    assertEquals(List.of("oa/o", "an/a", "both/b", "echo-an/e"), count.stream().map(Candidate::key).toList());
    assertNull(count.get(0).call(Endpoint.COUNT_TOKENS), "no OpenAI operation: answered by the proxy");
    assertEquals(Endpoint.COUNT_TOKENS, count.get(1).call(Endpoint.COUNT_TOKENS));
  }
}
