// A bare OpenAI-compatible upstream for benchmarks: answers POST /v1/chat/completions at once, as JSON or, when
// the request says "stream": true, as CHUNKS server-sent events followed by [DONE]. Loopback only.
// Run with the gateway jar on the class path (it carries Vert.x):
//   java -cp dist/llm-proxy.jar bench/MockUpstreamServer.java 18800 20
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

public class MockUpstreamServer {

  public static void main(String[] args) {
    int port = Integer.parseInt(args.length > 0 ? args[0] : "18800");
    int chunks = Integer.parseInt(args.length > 1 ? args[1] : "20");
    Buffer json = Buffer.buffer("{\"id\":\"bench\",\"object\":\"chat.completion\",\"model\":\"bench\",\"choices\":[{\"index\":0,"
        + "\"message\":{\"role\":\"assistant\",\"content\":\"Benchmark answer.\"},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}}");
    Buffer chunk = Buffer.buffer("data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"},\"finish_reason\":null}]}\n\n");
    Buffer finish = Buffer.buffer("data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\","
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
          boolean stream = body.toString().contains("\"stream\":true");
          if (!stream) {
            req.response().putHeader("content-type", "application/json").end(json);
            return;
          }
          var response = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
          for (int i = 0; i < chunks; i++) {
            response.write(chunk);
          }
          response.end(finish);
        })).listen(port, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(1)).await();
    System.out.println("mock upstream on http://127.0.0.1:" + port + "/v1 (" + chunks + " chunks per stream)");
  }
}
