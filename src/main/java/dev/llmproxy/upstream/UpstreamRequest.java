package dev.llmproxy.upstream;

import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.routing.Candidate;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;

/**
 * What to send to one candidate.
 *
 * @param clientHeaders the client's request headers; filtered here, never forwarded wholesale
 * @param forwardedFor the client address for {@code X-Forwarded-For}, or null to send none
 * @param headerTimeout how long to wait for the response status line (already capped by the request deadline)
 * @param stream the client asked for a stream (a backend whose stream is a different call, Bedrock, needs it)
 */
public record UpstreamRequest(
    Candidate candidate,
    Endpoint endpoint,
    Buffer body,
    MultiMap clientHeaders,
    String traceId,
    String forwardedFor,
    Duration connectTimeout,
    Duration headerTimeout,
    boolean stream) {}
