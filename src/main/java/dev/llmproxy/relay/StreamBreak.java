package dev.llmproxy.relay;

import dev.llmproxy.routing.Candidate;

/**
 * A stream that broke after part of the answer reached the client, at the moment the relay sets out to continue it
 * on another route (mid-stream recovery).
 *
 * @param route the route whose stream broke
 * @param reason why it broke (reset, idle timeout, an error event, an end before the finish)
 * @param delivered the answer text the client has (what a continuation must not repeat nor lose)
 */
public record StreamBreak(Candidate route, String reason, String delivered) {}
