package dev.llmproxy.support;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * An in-process upstream on a loopback port. It records every request it receives and answers with scripted
 * {@link Reply}s: queued one-shot replies first, then the default. Every reply carries {@code x-upstream-id} so
 * tests can prove which backend served.
 */
public final class MockUpstream implements AutoCloseable {

  /** A request as the upstream saw it. */
  public record Received(String method, String path, Map<String, String> headers, Buffer body) {
    public JsonObject json() {
      return body.toJsonObject();
    }

    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(Map.Entry::getValue).findFirst().orElse(null);
    }
  }

  /** How to answer one request. */
  @FunctionalInterface
  public interface Reply {
    void send(HttpServerRequest request, Buffer body, MockUpstream upstream);
  }

  private final Vertx vertx;
  private final String id;
  private String scheme = "http";
  private String host = "127.0.0.1";
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final BlockingQueue<Received> arrivals = new LinkedBlockingQueue<>();
  private final ConcurrentLinkedDeque<Reply> queued = new ConcurrentLinkedDeque<>();
  private final BlockingQueue<String> closedConnections = new LinkedBlockingQueue<>();
  private volatile Reply fallbackReply;
  private HttpServer server;

  private MockUpstream(Vertx vertx, String id) {
    this.vertx = vertx;
    this.id = id;
    this.fallbackReply = chat("ok from " + id);
  }

  public static MockUpstream start(Vertx vertx, String id) {
    MockUpstream upstream = new MockUpstream(vertx, id);
    upstream.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(upstream::handle)
        .listen()
        .await();
    return upstream;
  }

  /**
   * An HTTPS upstream on {@code localhost} with the given certificate (e.g. {@code SelfSignedCertificate.create()}),
   * which nothing trusts unless a test adds it to a trust store.
   */
  public static MockUpstream startTls(Vertx vertx, String id, io.vertx.core.net.SelfSignedCertificate certificate) {
    MockUpstream upstream = new MockUpstream(vertx, id);
    upstream.scheme = "https";
    upstream.host = "localhost";
    upstream.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
            .setSsl(true).setKeyCertOptions(certificate.keyCertOptions()))
        .requestHandler(upstream::handle)
        .listen()
        .await();
    return upstream;
  }

  private void handle(HttpServerRequest request) {
    request.connection().closeHandler(v -> closedConnections.add(request.path()));
    request.body().onSuccess(body -> {
      Map<String, String> headers = new java.util.LinkedHashMap<>();
      request.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
      Received r = new Received(request.method().name(), request.path(), headers, body.copy());
      received.add(r);
      arrivals.add(r);
      request.response().putHeader("x-upstream-id", id);
      Reply reply = queued.poll();
      (reply == null ? fallbackReply : reply).send(request, body, this);
    });
  }

  public String url() {
    return scheme + "://" + host + ":" + server.actualPort() + "/v1";
  }

  public String id() {
    return id;
  }

  public Vertx vertx() {
    return vertx;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public int count() {
    return received.size();
  }

  public Received last() {
    return received.get(received.size() - 1);
  }

  /** Waits for the next request to arrive (event-driven, no polling). */
  public Received awaitRequest(Duration timeout) throws InterruptedException {
    Received r = arrivals.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (r == null) {
      throw new AssertionError(id + ": no request arrived within " + timeout);
    }
    return r;
  }

  /** Waits until a client connection to this upstream is closed. */
  public String awaitConnectionClosed(Duration timeout) throws InterruptedException {
    String path = closedConnections.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    if (path == null) {
      throw new AssertionError(id + ": no connection closed within " + timeout);
    }
    return path;
  }

  public MockUpstream always(Reply reply) {
    this.fallbackReply = reply;
    return this;
  }

  public MockUpstream next(Reply... replies) {
    queued.addAll(List.of(replies));
    return this;
  }

  public void reset() {
    received.clear();
    arrivals.clear();
    queued.clear();
    closedConnections.clear();
  }

  @Override
  public void close() {
    server.close().await();
  }

  // ---- replies ------------------------------------------------------------------------------------

  /** An OpenAI chat completion whose content is {@code text} and whose model is the one requested. */
  public static Reply chat(String text) {
    return (req, body, up) -> {
      String model = body.length() > 0 ? body.toJsonObject().getString("model", "?") : "?";
      json(200, new JsonObject()
          .put("id", "chatcmpl-" + up.id).put("object", "chat.completion").put("model", model)
          .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0)
              .put("message", new JsonObject().put("role", "assistant").put("content", text))
              .put("finish_reason", "stop")))
          .put("usage", new JsonObject().put("prompt_tokens", 3).put("completion_tokens", 2).put("total_tokens", 5)))
          .send(req, body, up);
    };
  }

  public static Reply json(int status, JsonObject body) {
    return (req, b, up) -> req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(body.toBuffer());
  }

  public static Reply status(int status, String body) {
    return (req, b, up) -> req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  /** Accepts the request and never answers. */
  public static Reply hang() {
    return (req, b, up) -> { };
  }

  /** Closes the connection without any response. */
  public static Reply resetBeforeHeaders() {
    return (req, b, up) -> req.connection().close();
  }

  /**
   * An SSE response: each element is a full event text (e.g. {@code "data: {...}\n\n"}), written one by one
   * {@code interval} apart. After the last, the response ends unless {@code end} is false (then it stays open).
   */
  public static Reply sse(List<String> events, Duration interval, boolean end) {
    return (req, b, up) -> {
      HttpServerResponse response = req.response().setChunked(true)
          .putHeader("content-type", "text/event-stream");
      writeEvents(up.vertx, response, new ArrayList<>(events), interval, end);
    };
  }

  /** Streams {@code events}, then kills the connection (an upstream dying mid-stream). */
  public static Reply sseThenReset(List<String> events, Duration interval) {
    return (req, b, up) -> {
      HttpServerResponse response = req.response().setChunked(true)
          .putHeader("content-type", "text/event-stream");
      writeEvents(up.vertx, response, new ArrayList<>(events), interval, false)
          .onComplete(v -> req.connection().close());
    };
  }

  /** Writes events paced by the caller: the reply hands the response to {@code script}. */
  public static Reply scripted(Function<HttpServerResponse, Future<Void>> script) {
    return (req, b, up) -> script.apply(req.response());
  }

  private static Future<Void> writeEvents(
      Vertx vertx, HttpServerResponse response, List<String> events, Duration interval, boolean end) {
    Promise<Void> done = Promise.promise();
    writeNext(vertx, response, events, interval, end, done);
    return done.future();
  }

  private static void writeNext(
      Vertx vertx, HttpServerResponse response, List<String> events, Duration interval, boolean end, Promise<Void> done) {
    if (response.closed()) {
      done.tryComplete();
      return;
    }
    if (events.isEmpty()) {
      if (end) {
        response.end();
      }
      done.tryComplete();
      return;
    }
    response.write(events.remove(0));
    if (interval.isZero()) {
      writeNext(vertx, response, events, interval, end, done);
    } else {
      vertx.setTimer(interval.toMillis(), t -> writeNext(vertx, response, events, interval, end, done));
    }
  }

  /** OpenAI chat chunk events for {@code words}, with a finish chunk and [DONE]. */
  public static List<String> openAiStream(String model, String... words) {
    List<String> events = new ArrayList<>();
    events.add(openAiChunk(model, new JsonObject().put("role", "assistant").put("content", ""), null));
    for (String w : words) {
      events.add(openAiChunk(model, new JsonObject().put("content", w), null));
    }
    events.add(openAiChunk(model, new JsonObject(), "stop"));
    events.add("data: [DONE]\n\n");
    return events;
  }

  public static String openAiChunk(String model, JsonObject delta, String finish) {
    return "data: " + new JsonObject().put("id", "c1").put("object", "chat.completion.chunk").put("model", model)
        .put("choices", new io.vertx.core.json.JsonArray().add(new JsonObject().put("index", 0).put("delta", delta)
            .put("finish_reason", finish))).encode() + "\n\n";
  }
}
