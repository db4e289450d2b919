package dev.llmproxy.streaming;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseEventSplitterTest {

  private static List<String> split(String... chunks) {
    SseEventSplitter splitter = new SseEventSplitter();
    List<String> events = new ArrayList<>();
    for (String c : chunks) {
      splitter.feed(Buffer.buffer(c), e -> events.add(e.toString()));
    }
    if (splitter.remainder().length() > 0) {
      events.add("REMAINDER:" + splitter.remainder());
    }
    return events;
  }

  @Test
  void emitsEachEventVerbatimIncludingItsTerminator() {
    assertEquals(List.of("event: a\ndata: 1\n\n", ": comment\n\n", "id: 7\ndata: 2\n\n"),
        split("event: a\ndata: 1\n\n: comment\n\nid: 7\ndata: 2\n\n"));
  }

  @Test
  void eventsCutAnywhereAcrossChunksAreReassembled() {
    String stream = "data: {\"x\":1}\n\ndata: [DONE]\n\n";
    for (int cut = 1; cut < stream.length(); cut++) {
      assertEquals(List.of("data: {\"x\":1}\n\n", "data: [DONE]\n\n"),
          split(stream.substring(0, cut), stream.substring(cut)), "cut at " + cut);
    }
  }

  @Test
  void acceptsCrlfAndCrLineEndingsEvenWhenSplitBetweenCrAndLf() {
    assertEquals(List.of("data: a\r\n\r\n", "data: b\r\r\n", "data: c\r\r", "REMAINDER:d"),
        split("data: a\r", "\n\r", "\ndata: b\r\r\ndata: c\r\r", "d"));
  }

  @Test
  void aTrailingCrWaitsForTheNextByteBeforeDeciding() {
    assertEquals(List.of("REMAINDER:data: b\r\r"), split("data: b\r\r"));
  }

  @Test
  void keepsAnUnfinishedEventAsRemainder() {
    assertEquals(List.of("data: 1\n\n", "REMAINDER:data: 2\n"), split("data: 1\n\ndata: 2\n"));
  }
}
