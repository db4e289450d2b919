package dev.llmproxy;

import dev.llmproxy.capture.Capture;
import dev.llmproxy.config.ConfigWatcher;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.connections.ClientConnections;
import dev.llmproxy.echo.EchoBackend;
import dev.llmproxy.fallback.CooldownRegistry;
import dev.llmproxy.lifecycle.Drain;
import dev.llmproxy.limits.TrafficControl;
import dev.llmproxy.observability.Metrics;
import dev.llmproxy.routing.AliasResolver;
import dev.llmproxy.ui.WebUi;
import java.time.Clock;

/**
 * State shared by every event loop's verticle instance, and that outlives config reloads. Everything here is
 * thread-safe; per-event-loop things (HTTP server and client) belong to {@link GatewayVerticle}.
 */
public record GatewayServices(
    SnapshotHolder snapshots,
    EchoBackend echo,
    AliasResolver resolver,
    ConfigWatcher config,
    CooldownRegistry cooldowns,
    Clock clock,
    TrafficControl traffic,
    Metrics metrics,
    Drain drain,
    dev.llmproxy.bedrock.Bedrock bedrock,
    ClientConnections clientConnections,
    Capture capture,
    WebUi ui) {}
