package dev.llmproxy;

import dev.llmproxy.pipeline.Stage;
import dev.llmproxy.relay.RelayObserver;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Ways to alter a gateway from outside, for integration tests that need the proxy itself to misbehave: a
 * pipeline stage that throws, the built-in echo backend failing, or the relay's own code throwing while it
 * delivers an answer. Production runs with {@link #NONE}.
 *
 * @param stages receives a request pipeline's stages (those before forward and relay) and returns the ones to
 *     run; applied to both pipelines, the routed one and the transparent mode's
 * @param beforeEchoReply runs inside the echo backend's request handling, before it answers
 * @param relayObservers receives the relays' observers and returns the ones to open for every request, routed
 *     ({@code Relay}) or passed through ({@code RawRelay})
 */
public record GatewayHooks(UnaryOperator<List<Stage>> stages, Consumer<HttpServerRequest> beforeEchoReply,
    UnaryOperator<List<RelayObserver.Factory>> relayObservers) {

  public static final GatewayHooks NONE = new GatewayHooks(UnaryOperator.identity(), request -> { });

  /** Stages and the echo backend altered; the relay as in production. */
  public GatewayHooks(UnaryOperator<List<Stage>> stages, Consumer<HttpServerRequest> beforeEchoReply) {
    this(stages, beforeEchoReply, UnaryOperator.identity());
  }
}
