package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.llmproxy.protocol.Protocol;
import io.vertx.core.buffer.Buffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The scan gives every event the kind the decoded object gives it: recorded provider streams, the Responses API's
 * streams, and the odd shapes the rules care about.
 */
class EventScanTest {

  private static final String[] ODD = {
      "{\"choices\":[{\"delta\":{\"content\":\"\"},\"finish_reason\":null}]}",
      "{\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}",
      "{\"choices\":[{\"delta\":{\"tool_calls\":[]}},{\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}",
      "{\"choices\":[{\"delta\":{\"reasoning\":{\"x\":1}}}]}",
      "{\"choices\":[{\"text\":\"legacy\"}]}",
      "{\"choices\":[{\"text\":\"\",\"finish_reason\":\"length\"}]}",
      "{\"choices\":[],\"usage\":{\"prompt_tokens\":1}}",
      "{\"choices\":[1,null,{\"delta\":{\"refusal\":\"no\"}}]}",
      "{\"error\":{\"message\":\"boom\"}}",
      "{\"error\":null,\"choices\":[{\"delta\":{\"content\":\"x\"}}]}",
      "{\"type\":\"response.output_text.delta\",\"delta\":\"x\"}",
      "{\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"server_error\"}}}",
      "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}",
      "{\"type\":\"content_block_delta\",\"delta\":{\"text\":\"hi\"}}",
      "{\"type\":\"message_delta\",\"usage\":{\"output_tokens\":3}}",
      "{\"type\":7}",
      "{\"a\":1} trailing",
      "[1,2]",
      "{\"unterminated\":",
      "{\"choices\":[{\"delta\":{\"content\":\"x\"}}]",
      "{/* a comment, which the decoder accepts */\"choices\":[{\"delta\":{\"content\":\"x\"}}]}",
      "{\"type\":\"error\" // to the line's end\n}",
  };

  @Test
  void scanAndDecodeAgreeOnEveryEvent() throws Exception {
    List<String> datas = new ArrayList<>(List.of(ODD));
    try (Stream<Path> files = Files.walk(Path.of("src/test/resources"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".sse") || f.endsWith("events/odd-events.txt"))
          .toList()) {
        SseEvent.parseAll(Buffer.buffer(Files.readString(file))).forEach(e -> {
          if (e.data() != null) {
            datas.add(e.data());
          }
        });
      }
    }
    assertTrue(datas.size() > 60, "fixtures found: " + datas.size());
    for (Protocol protocol : Protocol.values()) {
      for (String data : datas) {
        for (String name : new String[] {null, "error", "message_stop"}) {
          SseEvent scanned = new SseEvent(Buffer.buffer(), name, data);
          SseEvent decoded = new SseEvent(Buffer.buffer(), name, data);
          decoded.json();
          StreamEventKind byScan = StreamEvents.classify(protocol, scanned);
          assertFalse(scanned.decoded(), "the scan decodes nothing");
          assertEquals(StreamEvents.classify(protocol, decoded), byScan, protocol + " " + name + " " + data);
        }
      }
    }
  }

  @Test
  void parsesFieldsWithEveryLineEnding() {
    for (String eol : new String[] {"\n", "\r\n", "\r"}) {
      SseEvent e = SseEvent.parse(Buffer.buffer(": comment" + eol + "event: x" + eol + "data: a" + eol + "data:b" + eol
          + "id: 1" + eol + "data" + eol + eol));
      assertEquals("x", e.name());
      assertEquals("a\nb\n", e.data());
    }
  }
}
