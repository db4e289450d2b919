import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.recovery.MidstreamRecovery;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * In-process cost of mid-stream recovery per stream event, free of network and load-generator noise: what the
 * relay pays on every event of a chat stream while recovery is on (noting what the client receives), against
 * recovery off and against the JSON decode the relay already does per event to classify it; and what a
 * continuation leg costs (its events rewritten). Run after `mvn -B package -DskipTests`:
 *
 *   java -cp dist/llm-proxy.jar bench/RecoveryMicroBench.java
 */
public class RecoveryMicroBench {

  static final int EVENTS_PER_STREAM = 200;

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("recovery-bench");
    SseEvent openAi = SseEvent.parse(Buffer.buffer("data: {\"id\":\"chatcmpl-9xYz\",\"object\":\"chat.completion.chunk\","
        + "\"created\":1718000000,\"model\":\"gpt-4o-2024-08-06\",\"system_fingerprint\":\"fp_abc123\",\"choices\":"
        + "[{\"index\":0,\"delta\":{\"content\":\" quick\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n"));
    SseEvent anthropic = SseEvent.parse(Buffer.buffer("event: content_block_delta\ndata: {\"type\":"
        + "\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" quick\"}}\n\n"));
    RequestContext on = context(dir, "", Endpoint.CHAT_COMPLETIONS);
    RequestContext off = context(dir, ", midstream_recovery: false", Endpoint.CHAT_COMPLETIONS);
    RequestContext messages = context(dir, "", Endpoint.MESSAGES);
    Candidate route = new Candidate("m", on.snapshot().backends().get("a"),
        on.snapshot().aliases().get("m").routes().get(0));
    // Three rounds: on a shared machine the best round is the cost, the spread is the neighbours.
    for (int round = 1; round <= 3; round++) {
      measure("JSON decode of an OpenAI chunk (what classifying it costs)", i -> Json.decodeValue(openAi.data()));
      measure("OpenAI chunk, recovery off", stream(off, route, openAi, false));
      measure("OpenAI chunk, recovery on (first leg: noted)", stream(on, route, openAi, false));
      measure("OpenAI chunk, continuation leg (rewritten)", stream(on, route, openAi, true));
      measure("Anthropic text delta, recovery on (first leg: noted)", stream(messages, route, anthropic, false));
      measure("Anthropic text delta, continuation leg (rewritten)", stream(messages, route, anthropic, true));
    }
  }

  /** Delivers the event again and again, a new stream every EVENTS_PER_STREAM events. */
  static IntConsumer stream(RequestContext ctx, Candidate route, SseEvent event, boolean continuation) {
    MidstreamRecovery[] recovery = {null};
    return i -> {
      if (i % EVENTS_PER_STREAM == 0) {
        recovery[0] = MidstreamRecovery.open(ctx, route);
        recovery[0].deliver(event, event.raw());
        if (continuation) {
          recovery[0].broke(route, "bench");
          recovery[0].continuedOn(route);
        }
      }
      recovery[0].deliver(event, event.raw());
    };
  }

  static RequestContext context(Path dir, String aliasExtra, Endpoint endpoint) throws Exception {
    Path file = dir.resolve("config" + Math.abs(aliasExtra.hashCode()) + ".yaml");
    Files.writeString(file, """
        listen: "127.0.0.1:0"
        backends: [{name: a, url: "http://127.0.0.1:9"}]
        models:
          m: {routes: [{backend: a, model: ma}]%s}
        """.formatted(aliasExtra));
    Snapshot snapshot = new ConfigLoader(Map.of()).load(file);
    RequestContext ctx = new RequestContext("bench", snapshot, endpoint, null, "127.0.0.1", Clock.systemUTC());
    ctx.alias(snapshot.aliases().get("m"));
    ctx.body(new JsonObject().put("model", "m").put("stream", true).put("messages",
        new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
    return ctx;
  }

  static void measure(String what, IntConsumer op) {
    for (int i = 0; i < 200_000; i++) {
      op.accept(i);  // warm-up
    }
    int n = 2_000_000;
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      op.accept(i);
    }
    double ns = (System.nanoTime() - start) / (double) n;
    System.out.printf("%-62s %8.0f ns/event%n", what, ns);
  }
}
