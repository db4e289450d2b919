/**
 * The assembly: {@link dev.llmproxy.Main} (the command line: serve, {@code --validate}, {@code --export},
 * {@code --explore}, the client commands of {@code install}), {@link dev.llmproxy.Gateway} (a running gateway, for
 * {@code Main} and the integration tests alike), {@link dev.llmproxy.GatewayServices} (the state every event loop
 * shares and that outlives reloads), {@code GatewayVerticle} (one event loop's server, upstream client and the
 * request pipeline, declared in its {@code pipeline()}) and {@link dev.llmproxy.GatewayHooks} (ways for tests to
 * make the proxy itself misbehave). It wires the feature packages together and owns no feature of its own.
 */
package dev.llmproxy;
