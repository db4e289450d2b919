package dev.llmproxy.streaming;

/** What an event means for the stream's life, independent of protocol. */
public enum StreamEventKind {
  /** Keeps the stream alive but says nothing yet: role chunks, message_start, pings, comments. */
  META,
  /** Carries part of the answer (text, tool call, finish reason): after it, the client must see the stream. */
  CONTENT,
  /** Content that also ends the answer: OpenAI {@code finish_reason}, Anthropic {@code message_delta}. */
  FINISH,
  /** The provider reports an error inside the stream. */
  ERROR,
  /** The protocol's normal end: OpenAI {@code [DONE]}, Anthropic {@code message_stop}. */
  DONE,
  /** A data field that is not valid JSON: dropped and counted, never forwarded. */
  MALFORMED
}
