// A bare OpenAI-compatible upstream for benchmarks: answers POST /v1/chat/completions at once, as JSON or, when
// the request says "stream": true, as CHUNKS server-sent events followed by [DONE]. POST /v1/responses gets the
// Responses API's shapes: a response object, or its event stream (created, in_progress, item and part added,
// CHUNKS output_text deltas, text/part/item done, completed). POST /v1/messages gets Anthropic's: a message, or
// its event stream (message_start, content_block_start, CHUNKS text deltas, content_block_stop, message_delta,
// message_stop). Loopback only.
// A chat stream request with the header x-bench-interval-ms: N is paced like a model generating: its chunks
// (x-bench-chunks of them, default CHUNKS) go out N ms apart, each carrying "t": the epoch microseconds it was
// written at, so a load generator (bench/StreamLoad.java) can tell how late each chunk reached it.
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
    // The shape and size (~590 bytes) of a real OpenAI chat completion, usage details included.
    Buffer json = Buffer.buffer("{\"id\":\"chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG\",\"object\":\"chat.completion\","
        + "\"created\":1741570283,\"model\":\"bench\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
        + "\"content\":\"The benchmark answer: a short paragraph of text, about as long as a typical reply to a quick "
        + "question.\",\"refusal\":null,\"annotations\":[]},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":19,\"completion_tokens\":21,\"total_tokens\":40,\"prompt_tokens_details\":"
        + "{\"cached_tokens\":0,\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,"
        + "\"audio_tokens\":0,\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}},"
        + "\"service_tier\":\"default\",\"system_fingerprint\":\"fp_f33640a400\"}");
    Buffer chunk = Buffer.buffer("data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\","
        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"},\"finish_reason\":null}]}\n\n");
    Buffer finish = Buffer.buffer("data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\","
        + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    Buffer response = Buffer.buffer(responseObject("completed", "\"Benchmark answer.\""));
    StringBuilder events = new StringBuilder();
    int seq = 0;
    String inProgress = responseObject("in_progress", null);
    events.append(event("response.created", seq++, "\"response\":" + inProgress));
    events.append(event("response.in_progress", seq++, "\"response\":" + inProgress));
    events.append(event("response.output_item.added", seq++, "\"output_index\":0,\"item\":{\"id\":\"msg_bench\","
        + "\"type\":\"message\",\"status\":\"in_progress\",\"role\":\"assistant\",\"content\":[]}"));
    events.append(event("response.content_part.added", seq++, PART + ",\"part\":{\"type\":\"output_text\","
        + "\"annotations\":[],\"text\":\"\"}"));
    Buffer responsesHead = Buffer.buffer(events.toString());
    StringBuilder deltas = new StringBuilder();
    for (int i = 0; i < chunks; i++) {
      deltas.append(event("response.output_text.delta", seq++, PART + ",\"delta\":\"word \",\"logprobs\":[]"));
    }
    Buffer responsesDeltas = Buffer.buffer(deltas.toString());
    String text = "\"" + "word ".repeat(chunks) + "\"";
    Buffer responsesTail = Buffer.buffer(
        event("response.output_text.done", seq++, PART + ",\"text\":" + text + ",\"logprobs\":[]")
        + event("response.content_part.done", seq++, PART + ",\"part\":{\"type\":\"output_text\","
            + "\"annotations\":[],\"text\":" + text + "}")
        + event("response.output_item.done", seq++, "\"output_index\":0,\"item\":" + message("completed", text))
        + event("response.completed", seq, "\"response\":" + responseObject("completed", text)));
    Buffer message = Buffer.buffer("{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\","
        + "\"model\":\"bench\",\"content\":[{\"type\":\"text\",\"text\":\"Benchmark answer.\"}],"
        + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":3}}");
    Buffer messageHead = Buffer.buffer(anthropic("message_start", "{\"type\":\"message_start\",\"message\":"
        + "{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"bench\",\"content\":[],"
        + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1}}}")
        + anthropic("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"));
    Buffer messageDelta = Buffer.buffer(anthropic("content_block_delta", "{\"type\":\"content_block_delta\","
        + "\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"word \"}}"));
    Buffer messageTail = Buffer.buffer(anthropic("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
        + anthropic("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + chunks + "}}")
        + anthropic("message_stop", "{\"type\":\"message_stop\"}"));
    Vertx vertx = Vertx.vertx();
    vertx.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        return vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
          boolean stream = body.toString().contains("\"stream\":true");
          if (req.path().endsWith("/responses")) {
            if (!stream) {
              req.response().putHeader("content-type", "application/json").end(response);
              return;
            }
            var events = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
            events.write(responsesHead);
            events.write(responsesDeltas);
            events.end(responsesTail);
            return;
          }
          if (req.path().endsWith("/messages")) {
            if (!stream) {
              req.response().putHeader("content-type", "application/json").end(message);
              return;
            }
            var events = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
            events.write(messageHead);
            for (int i = 0; i < chunks; i++) {
              events.write(messageDelta);
            }
            events.end(messageTail);
            return;
          }
          if (!stream) {
            req.response().putHeader("content-type", "application/json").end(json);
            return;
          }
          var response = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
          String interval = req.getHeader("x-bench-interval-ms");
          if (interval != null) {
            String count = req.getHeader("x-bench-chunks");
            paced(vertx, response, count == null ? chunks : Integer.parseInt(count), Long.parseLong(interval));
            return;
          }
          for (int i = 0; i < chunks; i++) {
            response.write(chunk);
          }
          response.end(finish);
        })).listen(port, "127.0.0.1");
      }
    }, new DeploymentOptions().setInstances(1)).await();
    System.out.println("mock upstream on http://127.0.0.1:" + port + "/v1 (" + chunks + " chunks per stream)");
  }

  /** Writes {@code count} chunks {@code intervalMillis} apart (the first at once), then the finish and [DONE]. */
  static void paced(Vertx vertx, io.vertx.core.http.HttpServerResponse response, int count, long intervalMillis) {
    int[] sent = {0};
    long[] timer = {-1};
    Runnable next = () -> {
      if (sent[0] == count) {
        vertx.cancelTimer(timer[0]);
        response.end("data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"t\":"
            + micros() + ",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        return;
      }
      sent[0]++;
      response.write("data: {\"id\":\"bench\",\"object\":\"chat.completion.chunk\",\"model\":\"bench\",\"t\":"
          + micros() + ",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word \"},\"finish_reason\":null}]}\n\n");
    };
    next.run();
    timer[0] = vertx.setPeriodic(intervalMillis, id -> {
      if (!response.ended() && !response.closed()) {
        next.run();
      } else {
        vertx.cancelTimer(id);
      }
    });
    response.closeHandler(v -> vertx.cancelTimer(timer[0]));
  }

  static long micros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
  }

  static String anthropic(String type, String data) {
    return "event: " + type + "\ndata: " + data + "\n\n";
  }

  static final String PART = "\"item_id\":\"msg_bench\",\"output_index\":0,\"content_index\":0";

  static String event(String type, int sequence, String fields) {
    return "event: " + type + "\ndata: {\"type\":\"" + type + "\",\"sequence_number\":" + sequence + ","
        + fields + "}\n\n";
  }

  static String message(String status, String text) {
    return "{\"id\":\"msg_bench\",\"type\":\"message\",\"status\":\"" + status + "\",\"role\":\"assistant\","
        + "\"content\":[{\"type\":\"output_text\",\"annotations\":[],\"text\":" + text + "}]}";
  }

  /** A response object as OpenAI sends it (the lifecycle events repeat it); {@code text} null: no output yet. */
  static String responseObject(String status, String text) {
    return "{\"id\":\"resp_bench\",\"object\":\"response\",\"created_at\":1741476542,\"status\":\"" + status + "\","
        + "\"error\":null,\"incomplete_details\":null,\"instructions\":\"You are a helpful assistant.\","
        + "\"max_output_tokens\":null,\"model\":\"bench\",\"output\":["
        + (text == null ? "" : message("completed", text))
        + "],\"parallel_tool_calls\":true,\"previous_response_id\":null,\"reasoning\":{\"effort\":null,"
        + "\"summary\":null},\"store\":true,\"temperature\":1.0,\"text\":{\"format\":{\"type\":\"text\"}},"
        + "\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,\"truncation\":\"disabled\",\"usage\":"
        + (text == null ? "null" : "{\"input_tokens\":5,\"output_tokens\":3,\"total_tokens\":8}") + ",\"metadata\":{}}";
  }
}
