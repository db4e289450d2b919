package dev.llmproxy.fallback;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.llmproxy.config.BackendType;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.support.ConfigFiles;
import dev.llmproxy.support.MutableClock;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each candidate's body: the real model by default, a backend type's own format for its routes. */
class PrepareBodyTest {

  private static final String YAML = """
      listen: "127.0.0.1:0"
      backends:
        - {name: openai, url: "http://127.0.0.1:9", protocol: anthropic}
        - {name: aws, type: bedrock, region: us-east-1, access_key_id: AKIAEXAMPLE, secret_access_key: secret}
      models:
        m: [{backend: openai, model: real-http}, {backend: aws, model: real-bedrock}]
      """;

  @Test
  void routesOfTheGivenBackendTypeGetTheirOwnBodyAndAllOthersTheRealModel(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, YAML);
    Snapshot snapshot = ConfigFiles.load(file);
    RequestContext ctx = new RequestContext("trace-1", snapshot, Endpoint.MESSAGES, null, "127.0.0.1",
        MutableClock.startingNow());
    ctx.body(new JsonObject().put("model", "m").put("messages", List.of()));
    PrepareBody bodies = PrepareBody.REAL_MODEL.forBackendType(BackendType.BEDROCK,
        (c, body, route) -> Buffer.buffer("bedrock body for " + route.model()));

    Candidate http = candidate(snapshot, "openai", "real-http");
    Candidate bedrock = candidate(snapshot, "aws", "real-bedrock");

    assertEquals(new JsonObject().put("model", "real-http").put("messages", List.of()),
        new JsonObject(bodies.prepare(ctx, ctx.body(), http)));
    assertEquals("bedrock body for real-bedrock", bodies.prepare(ctx, ctx.body(), bedrock).toString());
    assertEquals("m", ctx.body().getString("model"), "the client's parsed body is never changed");
  }

  /** Mid-stream recovery hands each route a continuation instead of the client's body: every route prepares it. */
  @Test
  void eachRoutePreparesTheBodyItIsGivenNotTheClientsOwn(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, YAML);
    Snapshot snapshot = ConfigFiles.load(file);
    RequestContext ctx = new RequestContext("trace-1", snapshot, Endpoint.MESSAGES, null, "127.0.0.1",
        MutableClock.startingNow());
    ctx.body(new JsonObject().put("model", "m").put("messages", List.of()));
    JsonObject continuation = new JsonObject().put("model", "m").put("messages", List.of(
        new JsonObject().put("role", "assistant").put("content", "Hello")));
    PrepareBody bodies = PrepareBody.REAL_MODEL.forBackendType(BackendType.BEDROCK,
        (c, body, route) -> body.copy().put("bedrock", route.model()).toBuffer());

    assertEquals(continuation.copy().put("model", "real-http"),
        new JsonObject(bodies.prepare(ctx, continuation, candidate(snapshot, "openai", "real-http"))));
    assertEquals(continuation.copy().put("bedrock", "real-bedrock"),
        new JsonObject(bodies.prepare(ctx, continuation, candidate(snapshot, "aws", "real-bedrock"))));
    assertEquals("m", continuation.getString("model"), "the body given is never changed");
  }

  private static Candidate candidate(Snapshot snapshot, String backend, String model) {
    var alias = snapshot.aliases().get("m");
    var route = alias.routes().stream().filter(r -> r.backend().equals(backend)).findFirst().orElseThrow();
    return new Candidate("m", snapshot.backends().get(backend), route);
  }
}
