package dev.llmproxy.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An in-process Loki push endpoint ({@code POST /loki/api/v1/push}) on a loopback port. It records every push
 * as it arrived (headers, whether it was gzip, the decoded streams) and answers 204, or a scripted failure
 * status for the next N pushes.
 */
public final class MockLoki implements AutoCloseable {

  /** One push request. */
  public record Push(Map<String, String> headers, boolean gzip, JsonObject body, int answered) {

    public List<Entry> entries() {
      List<Entry> out = new ArrayList<>();
      for (Object s : body.getJsonArray("streams")) {
        JsonObject stream = (JsonObject) s;
        for (Object v : stream.getJsonArray("values")) {
          JsonArray value = (JsonArray) v;
          out.add(new Entry(stream.getJsonObject("stream"), Long.parseLong(value.getString(0)), value.getString(1)));
        }
      }
      return out;
    }
  }

  /** One log line with its stream's labels. */
  public record Entry(JsonObject labels, long nanos, String line) {
    public JsonObject json() {
      return new JsonObject(line);
    }
  }

  private final HttpServer server;
  private final List<Push> pushes = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private volatile int failureStatus = 500;

  private MockLoki(HttpServer server) {
    this.server = server;
  }

  public static MockLoki start(Vertx vertx) {
    MockLoki[] self = new MockLoki[1];
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> req.body().onSuccess(body -> {
          boolean gzip = "gzip".equalsIgnoreCase(req.getHeader("Content-Encoding"));
          Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
          req.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
          int status = self[0].failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? self[0].failureStatus : 204;
          self[0].pushes.add(new Push(headers, gzip, new JsonObject(gzip ? gunzip(body) : body), status));
          req.response().setStatusCode(status).end(status == 204 ? "" : "{\"error\":\"scripted\"}");
        }))
        .listen().await();
    self[0] = new MockLoki(server);
    return self[0];
  }

  private static Buffer gunzip(Buffer body) {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))) {
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String pushUrl() {
    return "http://127.0.0.1:" + server.actualPort() + "/loki/api/v1/push";
  }

  /** The next {@code n} pushes are answered with {@code status}. */
  public void failNext(int n, int status) {
    failureStatus = status;
    failuresLeft.set(n);
  }

  public List<Push> pushes() {
    return List.copyOf(pushes);
  }

  /** Entries of the pushes Loki accepted (answered 2xx). */
  public List<Entry> accepted() {
    return pushes.stream().filter(p -> p.answered() / 100 == 2).flatMap(p -> p.entries().stream()).toList();
  }

  @Override
  public void close() {
    server.close().await();
  }
}
