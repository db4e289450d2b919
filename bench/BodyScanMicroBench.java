import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.llmproxy.json.JsonScan;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * In-process cost of checking a request body (ParseRequest's scan, json.JsonScan.topLevel) against Jackson's
 * streaming parser walking the same tokens (the scan it replaced), for the body shapes that matter: a small chat
 * request, the 1 MiB prompt of bench/profile.sh big (one ASCII string), a coding agent's megabyte (this
 * repository's Java sources and docs as tool results, JSON-escaped, with tool definitions), a worst case for the
 * scan (code and accented prose with an escape or a UTF-8 sequence every 7 bytes), and a megabyte of CJK text (a
 * UTF-8 sequence every 3 bytes).
 * Also JsonScan.contains over a megabyte (bridge.BackendBody looks for "thinking" on each Anthropic attempt).
 * Run after `mvn -B package -DskipTests`:
 *
 *   java -cp dist/llm-proxy.jar bench/BodyScanMicroBench.java
 */
public class BodyScanMicroBench {

  private static final JsonFactory JACKSON = JsonFactory.builder().build();
  private static final byte[] THINKING = "\"thinking\"".getBytes(StandardCharsets.US_ASCII);

  public static void main(String[] args) throws Exception {
    Buffer small = chat("hi ".repeat(300));
    Buffer ascii = chat("x".repeat(1 << 20));
    Buffer agent = agent();
    Buffer dense = dense();
    Buffer cjk = chat("\u4e2d\u6587\u6587\u672c\u3002".repeat(70_000));
    // Three rounds: on a shared machine the best round is the cost, the spread is the neighbours.
    for (int round = 1; round <= 3; round++) {
      System.out.println("round " + round);
      for (var body : new Object[][] {{"1 KiB chat", small}, {"1 MiB ASCII prompt", ascii},
          {"1 MiB coding agent", agent}, {"1 MiB dense escapes", dense}, {"1 MiB CJK text", cjk}}) {
        Buffer b = (Buffer) body[1];
        measure(body[0] + " (" + b.length() + " B): JsonScan.topLevel", b, BodyScanMicroBench::ours);
        measure(body[0] + " (" + b.length() + " B): Jackson tokens    ", b, BodyScanMicroBench::jackson);
      }
      measure("1 MiB dense escapes: JsonScan.contains \"thinking\"", dense,
          b -> JsonScan.contains(b, THINKING, Integer.MAX_VALUE) ? 1 : 0);
      measure("1 MiB coding agent: JsonScan.contains \"thinking\"", agent,
          b -> JsonScan.contains(b, THINKING, Integer.MAX_VALUE) ? 1 : 0);
    }
  }

  private static Buffer chat(String content) {
    return Buffer.buffer("{\"model\":\"echo\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
  }

  /**
   * A coding agent's request: tool definitions, then turns whose tool results are files of this repository (Java
   * sources, Markdown), JSON-escaped as an SDK sends them, until a megabyte.
   */
  private static Buffer agent() throws IOException {
    List<Path> files;
    try (var walk = Files.walk(Path.of("src/main/java"))) {
      files = new ArrayList<>(walk.filter(f -> f.toString().endsWith(".java")).sorted().toList());
    }
    try (var docs = Files.list(Path.of("docs"))) {
      files.addAll(docs.filter(f -> f.toString().endsWith(".md")).sorted().toList());
    }
    JsonArray messages = new JsonArray();
    int size = 0;
    for (int i = 0; size < (1 << 20); i++) {
      String text = Files.readString(files.get(i % files.size()));
      messages.add(new JsonObject().put("role", "user").put("content", new JsonArray()
          .add(new JsonObject().put("type", "tool_result").put("tool_use_id", "toolu_" + i)
              .put("content", text))));
      size += text.length();
    }
    JsonArray tools = new JsonArray();
    for (int i = 0; i < 20; i++) {
      tools.add(new JsonObject().put("name", "tool" + i).put("description", "Reads a file.")
          .put("input_schema", new JsonObject().put("type", "object").put("properties",
              new JsonObject().put("path", new JsonObject().put("type", "string")))));
    }
    return new JsonObject().put("model", "claude").put("max_tokens", 8192).put("tools", tools)
        .put("messages", messages).put("stream", true).toBuffer();
  }

  /** Code dense in escaped quotes and backslashes, prose with an accent every few letters: a stop every 7 bytes. */
  private static Buffer dense() {
    String code = "    if (value == null) {\\n      throw new IllegalStateException(\\\"no \\\\\\\"value\\\\\\\"\\\");"
        + "\\n    }\\n    return map.get(\\\"key\\\").trim();\\n";
    String prose = "The caf\u00e9's r\u00e9sum\u00e9 \u2014 na\u00efve test \u2713; see the diff below. ";
    StringBuilder b = new StringBuilder("{\"model\":\"claude\",\"max_tokens\":8192,\"messages\":[");
    int i = 0;
    while (b.length() < (1 << 20)) {
      b.append(i++ > 0 ? "," : "").append("{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"")
          .append(prose.repeat(8)).append("\"},{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_")
          .append(i).append("\",\"content\":\"").append(code.repeat(30)).append("\"}]}");
    }
    return Buffer.buffer(b.append("],\"stream\":true}").toString());
  }

  private static int ours(Buffer body) {
    try {
      return JsonScan.topLevel(body, "model", "stream").get("model").end();
    } catch (JsonScan.NotAnObject e) {
      throw new IllegalStateException(e);
    }
  }

  private static int jackson(Buffer body) {
    ByteBuf buf = ((BufferInternal) body).getByteBuf();  // the array in place, as the replaced scan read it
    try (JsonParser p = JACKSON.createParser(buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes())) {
      p.nextToken();
      int end = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (name.equals("model")) {
          p.getText();
        }
        p.skipChildren();
        end = (int) p.currentLocation().getByteOffset();
      }
      p.nextToken();
      return end;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void measure(String what, Buffer body, ToIntFunction<Buffer> scan) {
    long sink = 0;
    long budget = 1_000_000_000L;  // 1 s of calls, the first half a warm-up
    long start = System.nanoTime();
    long calls = 0;
    long timedFrom = 0;
    long timedCalls = 0;
    while (true) {
      long now = System.nanoTime();
      if (timedFrom == 0 && now - start > budget / 2) {
        timedFrom = now;
        timedCalls = calls;
      }
      if (now - start > budget) {
        double micros = (now - timedFrom) / 1000.0 / (calls - timedCalls);
        System.out.printf("  %-62s %9.2f µs/call  (%.0f MB/s)%n", what, micros, body.length() / micros);
        break;
      }
      for (int i = 0; i < 16; i++) {
        sink += scan.applyAsInt(body);
      }
      calls += 16;
    }
    if (sink == 42) {
      System.out.println();
    }
  }
}
