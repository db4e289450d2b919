package dev.llmproxy.translation;

import dev.llmproxy.protocol.ExactJson;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.SseEventSplitter;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Golden fixtures under src/test/resources/translation/: JSON cases and recorded SSE streams. */
public final class Fixtures {

  private Fixtures() {}

  public static JsonObject json(String resource) {
    return (JsonObject) ExactJson.decode(Buffer.buffer(bytes(resource)));
  }

  /** The events of a recorded stream, split exactly as the relay splits upstream bytes. */
  public static List<SseEvent> events(String resource) {
    List<SseEvent> events = new ArrayList<>();
    new SseEventSplitter().feed(Buffer.buffer(bytes(resource)), raw -> events.add(SseEvent.parse(raw)));
    return events;
  }

  /** Splits translated output back into events, to check it the way a client would read it. */
  public static List<SseEvent> events(Buffer bytes) {
    List<SseEvent> events = new ArrayList<>();
    new SseEventSplitter().feed(bytes, raw -> events.add(SseEvent.parse(raw)));
    return events;
  }

  /** File names (without directory) of the fixtures in one folder whose name starts with the prefix. */
  public static Stream<String> list(String folder, String prefix) {
    try {
      Path dir = Path.of(Fixtures.class.getResource("/translation/" + folder).toURI());
      try (Stream<Path> files = Files.list(dir)) {
        return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList().stream();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/translation/" + resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
