package dev.llmproxy.limits;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A Vert.x HTTP client whose connections leave from a chosen loopback address (Linux routes all of 127/8 to
 * {@code lo}), so one test can be two different client IPs. The JDK client cannot bind a local address.
 */
final class LoopbackClient implements AutoCloseable {

  /** What the client got back. */
  record Answer(int status, MultiMap headers, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  private final HttpClient client;
  private final Context context;
  private final int port;

  LoopbackClient(Vertx vertx, String localAddress, int port, int connections) {
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setLocalAddress(localAddress).setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(connections));
    // Every request starts on this one event-loop context. Called from the test thread, Vert.x would give each
    // request a fresh context while the pooled connection belongs to another, which once lost a response end.
    this.context = vertx.getOrCreateContext();
    this.port = port;
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(promise));
    return promise.future();
  }

  Future<Answer> post(String path, String body, Map<String, String> headers) {
    return onContext(() -> client.request(HttpMethod.POST, port, "127.0.0.1", path)
        .compose(req -> {
          req.putHeader("content-type", "application/json");
          headers.forEach(req::putHeader);
          return req.send(body);
        })
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b.toString()))));
  }

  Future<Answer> post(String path, String body) {
    return post(path, body, Map.of());
  }

  /** GET, e.g. {@code /health}: not rate limited, so it can open connections before a timed burst. */
  Future<Answer> get(String path) {
    return onContext(() -> client.request(HttpMethod.GET, port, "127.0.0.1", path)
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b.toString()))));
  }

  /** Sends a request and hands it back, for tests that abort it midway. */
  Future<HttpClientRequest> open(String path, String body) {
    return onContext(() -> client.request(HttpMethod.POST, port, "127.0.0.1", path).map(req -> {
      req.putHeader("content-type", "application/json");
      req.end(body);
      return req;
    }));
  }

  @Override
  public void close() {
    client.close().await();
  }
}
