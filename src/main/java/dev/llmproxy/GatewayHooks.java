package dev.llmproxy;

import dev.llmproxy.pipeline.Stage;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Ways to alter a gateway from outside, for integration tests that need the proxy itself to misbehave: a
 * pipeline stage that throws, or the built-in echo backend failing. Production runs with {@link #NONE}.
 *
 * @param stages receives the request pipeline's stages (those before forward and relay) and returns the ones to
 *     run
 * @param beforeEchoReply runs inside the echo backend's request handling, before it answers
 */
public record GatewayHooks(UnaryOperator<List<Stage>> stages, Consumer<HttpServerRequest> beforeEchoReply) {

  public static final GatewayHooks NONE = new GatewayHooks(UnaryOperator.identity(), request -> { });
}
