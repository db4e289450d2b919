package dev.llmproxy.echo;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local echo backend: an HTTP server on an ephemeral loopback port, started with the gateway. Backends of
 * {@code type: echo} are sent there through the same upstream path as real providers.
 *
 * <p>A request it cannot answer gets a 400 in its protocol's shape, as a provider would send. A bug of its own
 * (an exception while answering) gets a 500 at once, marked with {@link #INTERNAL_FAULT_HEADER} so the proxy
 * answers its client with a 500 and does not cool the route for it; a stream already started is cut.
 */
public final class EchoBackend {

  /** On the echo's 500 for a bug of its own: the proxy's fault, not the backend's (never a reason to cool). */
  public static final String INTERNAL_FAULT_HEADER = "X-LLM-Proxy-Echo-Fault";

  private static final Logger LOG = LoggerFactory.getLogger(EchoBackend.class);

  private final Vertx vertx;
  private final Consumer<HttpServerRequest> beforeReply;
  private HttpServer server;

  public EchoBackend(Vertx vertx) {
    this(vertx, request -> { });
  }

  /** @param beforeReply runs before each answer (tests make it throw); production passes a no-op */
  public EchoBackend(Vertx vertx, Consumer<HttpServerRequest> beforeReply) {
    this.vertx = vertx;
    this.beforeReply = beforeReply;
  }

  public Future<EchoBackend> start() {
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(this::handle)
        .listen()
        .map(s -> {
          server = s;
          return this;
        });
  }

  /** Base URL in the providers' convention (ends in /v1); endpoint paths are appended to it. */
  public String baseUrl() {
    if (server == null) {
      throw new IllegalStateException("echo backend not started");
    }
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest request) {
    request.body().onComplete(read -> {
      if (read.failed()) {
        return;  // the proxy dropped the request (its client left): nobody to answer
      }
      try {
        beforeReply.accept(request);
        answer(request, read.result());
      } catch (Throwable bug) {  // whatever it is, the proxy must get an answer now, not wait for a timeout
        internalFault(request, bug);
      }
    });
  }

  private static void answer(HttpServerRequest request, Buffer body) {
    String path = request.path();
    Protocol protocol = path.contains("/messages") ? Protocol.ANTHROPIC : Protocol.OPENAI;
    JsonObject json;
    try {
      json = body.length() == 0 ? new JsonObject() : body.toJsonObject();
    } catch (RuntimeException e) {
      sendError(request.response(), 400, protocol, ErrorKind.INVALID_JSON, "echo: the body is not a JSON object");
      return;
    }
    String problem = EchoReplies.problem(json, path);
    if (problem != null) {
      sendError(request.response(), 400, protocol, ErrorKind.INVALID_REQUEST, problem);
      return;
    }
    String model = json.getString("model", "echo");
    boolean stream = Boolean.TRUE.equals(json.getValue("stream"));
    String id = "echo-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    HttpServerResponse response = request.response().putHeader("x-echo-backend", "true");
    if (path.endsWith("/messages/count_tokens")) {
      sendJson(response, new JsonObject().put("input_tokens", EchoReplies.promptTokens(json)));
    } else if (path.endsWith("/messages")) {
      String text = EchoReplies.replyText(json, true);
      if (stream) {
        streamAnthropic(response, id, model, text, EchoReplies.promptTokens(json));
      } else {
        sendJson(response, EchoReplies.anthropicMessage("msg_" + id, model, text, EchoReplies.promptTokens(json)));
      }
    } else if (path.endsWith("/chat/completions")) {
      String text = EchoReplies.replyText(json, false);
      if (stream) {
        streamChat(response, "chatcmpl-" + id, model, text, json);
      } else {
        sendJson(response, EchoReplies.chatCompletion("chatcmpl-" + id, model, text, EchoReplies.promptTokens(json)));
      }
    } else if (path.endsWith("/completions")) {
      String text = EchoReplies.replyText(json, false);
      if (stream) {
        streamCompletion(response, "cmpl-" + id, model, text);
      } else {
        sendJson(response, EchoReplies.completion("cmpl-" + id, model, text, EchoReplies.promptTokens(json), false));
      }
    } else if (path.endsWith("/responses")) {
      String text = EchoResponses.replyText(json);
      JsonObject reply = EchoResponses.response("resp_" + id, "msg_" + id, model, text, json);
      if (stream) {
        startStream(response);
        EchoResponses.events(reply).forEach(e -> event(response, e.getString("type"), e));
        response.end();
      } else {
        sendJson(response, reply);
      }
    } else if (path.endsWith("/embeddings")) {
      sendJson(response, EchoReplies.embeddings(model, json));
    } else {
      sendError(response, 404, protocol, ErrorKind.NOT_FOUND, "echo: unknown path " + path);
    }
  }

  private static void internalFault(HttpServerRequest request, Throwable bug) {
    LOG.error("echo backend failed while answering {}", kv("trace_id", request.getHeader("X-Trace-ID")), bug);
    HttpServerResponse response = request.response();
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();  // a stream already started: cut it, so the proxy ends its client's stream with an error
      return;
    }
    response.headers().clear();
    response.putHeader(INTERNAL_FAULT_HEADER, "true");
    Protocol protocol = request.path().contains("/messages") ? Protocol.ANTHROPIC : Protocol.OPENAI;
    sendError(response, 500, protocol, ErrorKind.INTERNAL, "echo: internal error");
  }

  private static void sendError(HttpServerResponse response, int status, Protocol protocol, ErrorKind kind,
      String message) {
    response.setStatusCode(status).putHeader("content-type", "application/json")
        .end(ErrorBodies.json(protocol, kind, message, null).toBuffer());
  }

  private static void sendJson(HttpServerResponse response, JsonObject body) {
    response.putHeader("content-type", "application/json").end(body.toBuffer());
  }

  private static HttpServerResponse startStream(HttpServerResponse response) {
    return response.setChunked(true).putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache");
  }

  private static void streamChat(HttpServerResponse response, String id, String model, String text, JsonObject req) {
    startStream(response);
    data(response, EchoReplies.chatChunk(id, model, new JsonObject().put("role", "assistant").put("content", ""), null));
    for (String piece : EchoReplies.pieces(text)) {
      data(response, EchoReplies.chatChunk(id, model, new JsonObject().put("content", piece), null));
    }
    data(response, EchoReplies.chatChunk(id, model, new JsonObject(), "stop"));
    if (req.getValue("stream_options") instanceof JsonObject options
        && Boolean.TRUE.equals(options.getValue("include_usage"))) {
      data(response, EchoReplies.chatChunk(id, model, new JsonObject(), null)
          .put("choices", new io.vertx.core.json.JsonArray())
          .put("usage", EchoReplies.usage(EchoReplies.promptTokens(req), EchoReplies.tokens(text))));
    }
    response.end("data: [DONE]\n\n");
  }

  private static void streamCompletion(HttpServerResponse response, String id, String model, String text) {
    startStream(response);
    for (String piece : EchoReplies.pieces(text)) {
      data(response, EchoReplies.completion(id, model, piece, 0, true));
    }
    JsonObject last = EchoReplies.completion(id, model, "", 0, true);
    last.getJsonArray("choices").getJsonObject(0).put("finish_reason", "stop");
    data(response, last);
    response.end("data: [DONE]\n\n");
  }

  private static void streamAnthropic(HttpServerResponse response, String id, String model, String text, int inputTokens) {
    startStream(response);
    JsonObject message = EchoReplies.anthropicMessage("msg_" + id, model, "", inputTokens);
    message.put("content", new io.vertx.core.json.JsonArray()).put("stop_reason", null);
    message.getJsonObject("usage").put("output_tokens", 0);
    event(response, "message_start", new JsonObject().put("type", "message_start").put("message", message));
    event(response, "content_block_start", new JsonObject().put("type", "content_block_start").put("index", 0)
        .put("content_block", new JsonObject().put("type", "text").put("text", "")));
    event(response, "ping", new JsonObject().put("type", "ping"));
    List<String> pieces = EchoReplies.pieces(text);
    for (String piece : pieces) {
      event(response, "content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", 0)
          .put("delta", new JsonObject().put("type", "text_delta").put("text", piece)));
    }
    event(response, "content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", 0));
    event(response, "message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", "end_turn").put("stop_sequence", null))
        .put("usage", new JsonObject().put("output_tokens", EchoReplies.tokens(text))));
    event(response, "message_stop", new JsonObject().put("type", "message_stop"));
    response.end();
  }

  private static void data(HttpServerResponse response, JsonObject chunk) {
    response.write(Buffer.buffer("data: " + chunk.encode() + "\n\n"));
  }

  private static void event(HttpServerResponse response, String name, JsonObject payload) {
    response.write(Buffer.buffer("event: " + name + "\ndata: " + payload.encode() + "\n\n"));
  }
}
