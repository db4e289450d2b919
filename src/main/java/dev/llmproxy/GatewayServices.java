package dev.llmproxy;

import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.echo.EchoBackend;
import dev.llmproxy.limits.TrafficControl;
import dev.llmproxy.routing.AliasResolver;

/**
 * State shared by every event loop's verticle instance, and that outlives config reloads. Everything here is
 * thread-safe; per-event-loop things (HTTP server and client) belong to {@link GatewayVerticle}.
 */
public record GatewayServices(
    SnapshotHolder snapshots, EchoBackend echo, AliasResolver resolver, TrafficControl traffic) {}
