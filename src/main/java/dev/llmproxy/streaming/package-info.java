/**
 * Reading upstream event streams. Server-sent events are split into events whose original bytes are kept (never
 * re-encoded) and classified per protocol; {@link dev.llmproxy.streaming.SseStream} peeks a stream until its first
 * content, so a failing backend can still be replaced before the client sees a byte, then delivers the events to
 * a sink (the relay) with backpressure and idle detection. Nothing here writes to the client.
 */
package dev.llmproxy.streaming;
