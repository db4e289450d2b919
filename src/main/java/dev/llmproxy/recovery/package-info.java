/**
 * Mid-stream recovery: a streamed answer that breaks after part of it reached the client is finished on the next
 * candidate of the same plan, and the client sees one coherent stream. {@link dev.llmproxy.recovery.MidstreamRecovery}
 * is the relay's per-delivery partner: it keeps the {@code Transcript} of what the client received (text, the
 * stream's identity, open content blocks, usage so far; read from every event by a streaming scan of the few
 * fields it needs, {@code OpenAiChunk} and {@code AnthropicEvent}, never by decoding the event), decides at a
 * break whether the answer can be continued, makes the continuation's body ({@code ContinuationBody}: the request
 * plus the delivered text as an assistant prefill) and rewrites each continuation leg's events into the client's
 * stream ({@code OpenAiContinuation}, {@code AnthropicContinuation}, joined at the cut by a {@code TextSplice}). It
 * works on events in the client's protocol, after any translation, so a translated stream is continued the same
 * way. Nothing here writes to the client or walks the plan: the relay does both.
 */
package dev.llmproxy.recovery;
