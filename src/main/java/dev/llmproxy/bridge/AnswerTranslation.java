package dev.llmproxy.bridge;

import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.protocol.ErrorBodies;
import dev.llmproxy.protocol.ErrorKind;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.relay.EventTransformer;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import dev.llmproxy.streaming.StreamEventKind;
import dev.llmproxy.translation.ErrorTranslation;
import dev.llmproxy.translation.StreamTranslator;
import dev.llmproxy.translation.Translation;
import dev.llmproxy.translation.TranslationException;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The answer of a route whose backend speaks the other protocol, in the client's: a success body translated, an
 * error in the client protocol's status and shape (retry headers kept), a stream event by event through one
 * {@link StreamTranslator}. The relay has judged and masked what it hands over; recovery reads what this makes.
 * One per accepted route (each leg of a recovered stream its own), confined to the request's event loop.
 */
public final class AnswerTranslation implements EventTransformer {

  private final Protocol backend;
  private final Protocol client;
  private final JsonObject clientRequest;
  private final String routeModel;
  private final long created;
  private StreamTranslator stream;

  private AnswerTranslation(Protocol backend, Protocol client, JsonObject clientRequest, String routeModel,
      long created) {
    this.backend = backend;
    this.client = client;
    this.clientRequest = clientRequest;
    this.routeModel = routeModel;
    this.created = created;
  }

  /**
   * The relay's {@link EventTransformer.Factory}: the identity (a byte copy) for a route that answers in the
   * client's protocol, a translation for one that does not.
   */
  public static EventTransformer forRoute(RequestContext ctx, Candidate route) {
    if (!route.translates(ctx.protocol()) || route.call(ctx.endpoint()) == null) {
      return IDENTITY;  // the client's protocol, or the proxy's own answer in it (count_tokens estimated)
    }
    return new AnswerTranslation(route.backend().protocol(), ctx.protocol(), ctx.body(), route.model(),
        ctx.scope().clock().instant().getEpochSecond());
  }

  @Override
  public Buffer event(SseEvent upstream, StreamEventKind kind) {
    Buffer out = Buffer.buffer();
    translator().onEvent(upstream.name(), upstream.data(), out);
    return out;
  }

  @Override
  public Buffer missingEnd(Protocol clientProtocol) {
    Buffer out = Buffer.buffer();
    translator().onEnd(out);
    return out;
  }

  @Override
  public NonStream whole(NonStream upstream) {
    int status = upstream.status();
    if (status < 200 || status >= 300) {
      ErrorTranslation.TranslatedError error = Translation.error(backend, client, status, upstream.headers(),
          upstream.body());
      MultiMap headers = json(upstream.headers());
      error.headers().forEach(headers::set);
      return new NonStream(error.status(), headers, error.body().toBuffer());
    }
    try {
      return new NonStream(status, json(upstream.headers()),
          Translation.response(backend, client, upstream.body(), routeModel, created));
    } catch (TranslationException notJson) {
      // Judged a success, yet not the protocol's JSON: the client cannot be given it in its own.
      return new NonStream(ErrorKind.UPSTREAM_FAILED.status(), json(upstream.headers()),
          ErrorBodies.json(client, ErrorKind.UPSTREAM_FAILED, "The backend answered " + status + " with a body"
              + " that could not be translated to " + client.id() + ": " + notJson.getMessage(), null).toBuffer());
    }
  }

  private StreamTranslator translator() {
    if (stream == null) {
      stream = Translation.stream(backend, client, clientRequest, routeModel, created);
    }
    return stream;
  }

  private static MultiMap json(MultiMap upstream) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(upstream);
    headers.set("content-type", "application/json");
    return headers;
  }
}
