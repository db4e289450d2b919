import dev.llmproxy.config.BackendTranslation;
import dev.llmproxy.demotion.StreamAssembler;
import dev.llmproxy.protocol.ExactJson;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseEventSplitter;
import dev.llmproxy.translation.StreamTranslator;
import dev.llmproxy.translation.Translation;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * In-process cost of OpenAI ⇄ Anthropic translation: per stream event (goal: under 10 µs) and per request and
 * answer, on the recorded provider streams and documented bodies of src/test/resources/translation/. No network.
 * Run from the repository root after `mvn -B package -DskipTests`:
 *
 *   java -cp dist/llm-proxy.jar bench/TranslationMicroBench.java
 */
public class TranslationMicroBench {

  static final Path FIXTURES = Path.of("src/test/resources/translation");
  /** Best ns per unit of each line over the rounds: on a shared machine the best round is the cost. */
  static final java.util.Map<String, Double> BEST = new java.util.LinkedHashMap<>();
  static long sink;

  public static void main(String[] args) throws Exception {
    List<SseEvent> anthropicTools = events("stream/anthropic-tools.sse");
    List<SseEvent> openAiTools = events("stream/openai-tools.sse");
    List<SseEvent> anthropicText = textStream(Protocol.ANTHROPIC, 500);
    List<SseEvent> openAiText = textStream(Protocol.OPENAI, 500);
    JsonObject wantsUsage = new JsonObject().put("stream_options", new JsonObject().put("include_usage", true));
    JsonObject openAiRequest = json("request/o2a-multi-turn-tools.json").getJsonObject("input");
    JsonObject anthropicRequest = json("request/a2o-multi-turn-tools.json").getJsonObject("input");
    JsonObject anthropicAnswer = json("response/a2o-tools-thinking.json").getJsonObject("input");
    JsonObject openAiAnswer = json("response/o2a-tools-reasoning.json").getJsonObject("input");
    Buffer anthropicAnswerBytes = anthropicAnswer.toBuffer();

    for (int round = 1; round <= 5; round++) {
      boolean report = true;
      perEvent(report, "stream Anthropic→OpenAI, 500 text deltas", anthropicText,
          () -> Translation.stream(Protocol.ANTHROPIC, Protocol.OPENAI, wantsUsage, "m", 1));
      perEvent(report, "stream OpenAI→Anthropic, 500 text deltas", openAiText,
          () -> Translation.stream(Protocol.OPENAI, Protocol.ANTHROPIC, wantsUsage, "m", 1));
      perEvent(report, "stream Anthropic→OpenAI, documented tool stream (" + anthropicTools.size() + " events)",
          anthropicTools, () -> Translation.stream(Protocol.ANTHROPIC, Protocol.OPENAI, wantsUsage, "m", 1));
      perEvent(report, "stream OpenAI→Anthropic, parallel tool stream (" + openAiTools.size() + " events)",
          openAiTools, () -> Translation.stream(Protocol.OPENAI, Protocol.ANTHROPIC, wantsUsage, "m", 1));
      perAssembled(report, "demotion: reassemble Anthropic tool stream", Protocol.ANTHROPIC, anthropicTools);
      perAssembled(report, "demotion: reassemble OpenAI tool stream", Protocol.OPENAI, openAiTools);
      measure(report, "request OpenAI→Anthropic (multi-turn tools)", "request", 20_000, i -> sink += Translation
          .request(Protocol.OPENAI, Protocol.ANTHROPIC, openAiRequest, BackendTranslation.DEFAULTS).size());
      measure(report, "request Anthropic→OpenAI (multi-turn tools)", "request", 20_000, i -> sink += Translation
          .request(Protocol.ANTHROPIC, Protocol.OPENAI, anthropicRequest, BackendTranslation.DEFAULTS).size());
      measure(report, "answer Anthropic→OpenAI (thinking + 2 tools), object in", "answer", 20_000,
          i -> sink += Translation.response(Protocol.ANTHROPIC, Protocol.OPENAI, anthropicAnswer, "m", 1).size());
      measure(report, "answer OpenAI→Anthropic (reasoning + 3 tools), object in", "answer", 20_000,
          i -> sink += Translation.response(Protocol.OPENAI, Protocol.ANTHROPIC, openAiAnswer, "m", 1).size());
      measure(report, "answer Anthropic→OpenAI, bytes in → bytes out (exact parse + encode)", "answer", 20_000,
          i -> sink += Translation.response(Protocol.ANTHROPIC, Protocol.OPENAI, anthropicAnswerBytes, "m", 1)
              .length());
    }
    System.out.println("| what | ns per unit (best of 5 rounds) |");
    System.out.println("|---|---|");
    BEST.forEach((what, ns) -> System.out.printf("| %s | %.0f |%n", what, ns));
    if (sink == 42) {
      System.out.println();
    }
  }

  interface Factory {
    StreamTranslator create();
  }

  static void perEvent(boolean report, String what, List<SseEvent> events, Factory factory) {
    int streams = Math.max(200, 200_000 / events.size());
    measure(report, what, "event", streams, events.size(), i -> {
      StreamTranslator t = factory.create();
      Buffer out = Buffer.buffer(4096);
      for (SseEvent e : events) {
        t.onEvent(e.name(), e.data(), out);
      }
      t.onEnd(out);
      sink += out.length();
    });
  }

  static void perAssembled(boolean report, String what, Protocol protocol, List<SseEvent> events) {
    measure(report, what, "event", 20_000, events.size(), i -> {
      StreamAssembler a = StreamAssembler.of(protocol);
      for (SseEvent e : events) {
        a.onEvent(e.name(), e.data());
      }
      sink += a.result().size();
    });
  }

  static void measure(boolean report, String what, String unit, int iterations, IntConsumer body) {
    measure(report, what, unit, iterations, 1, body);
  }

  static void measure(boolean report, String what, String unit, int iterations, int unitsPerIteration,
      IntConsumer body) {
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      body.accept(i);
    }
    long elapsed = System.nanoTime() - start;
    if (report) {
      BEST.merge(what + " (per " + unit + ")", (double) elapsed / ((long) iterations * unitsPerIteration), Math::min);
    }
  }

  static List<SseEvent> events(String fixture) throws Exception {
    List<SseEvent> out = new ArrayList<>();
    new SseEventSplitter().feed(Buffer.buffer(Files.readAllBytes(FIXTURES.resolve(fixture))),
        raw -> out.add(SseEvent.parse(raw)));
    return out;
  }

  static JsonObject json(String fixture) throws Exception {
    return (JsonObject) ExactJson.decode(Buffer.buffer(Files.readAllBytes(FIXTURES.resolve(fixture))));
  }

  /** A typical long answer: start, many small text deltas, finish; in the provider's own framing. */
  static List<SseEvent> textStream(Protocol protocol, int deltas) {
    StringBuilder s = new StringBuilder();
    if (protocol == Protocol.ANTHROPIC) {
      s.append("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"mes"
          + "sage\","
          + "\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\",\"stop_reason\":null,"
          + "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n\n");
      s.append("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
          + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
      for (int i = 0; i < deltas; i++) {
        s.append("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
            + "\"delta\":{\"type\":\"text_delta\",\"text\":\" token").append(i).append("\"}}\n\n");
      }
      s.append("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n");
      s.append("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
          + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":").append(deltas).append("}}\n\n");
      s.append("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
    } else {
      String head = "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt"
          + "-4o\","
          + "\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,\"delta\":";
      s.append(head).append("{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]"
          + "}\n\n");
      for (int i = 0; i < deltas; i++) {
        s.append(head).append("{\"content\":\" token").append(i).append("\"},\"logprobs\":null,\"finish_reason\":nul"
            + "l}]}\n\n");
      }
      s.append(head).append("{},\"logprobs\":null,\"finish_reason\":\"stop\"}]}\n\n");
      s.append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o\","
          + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":").append(deltas)
          .append(",\"total_tokens\":").append(9 + deltas).append("}}\n\n");
      s.append("data: [DONE]\n\n");
    }
    List<SseEvent> out = new ArrayList<>();
    new SseEventSplitter().feed(Buffer.buffer(s.toString()), raw -> out.add(SseEvent.parse(raw)));
    return out;
  }
}
