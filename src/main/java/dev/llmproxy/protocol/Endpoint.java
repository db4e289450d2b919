package dev.llmproxy.protocol;

/**
 * The proxied API operations. {@code upstreamPath} is appended to a backend's base URL, which by convention
 * ends in {@code /v1} (OpenAI: {@code https://api.openai.com/v1}, Anthropic: {@code https://api.anthropic.com/v1}).
 */
public enum Endpoint {
  CHAT_COMPLETIONS(Protocol.OPENAI, "/chat/completions", true),
  COMPLETIONS(Protocol.OPENAI, "/completions", true),
  EMBEDDINGS(Protocol.OPENAI, "/embeddings", false),
  /** The Responses API's {@code POST /v1/responses} (current OpenAI SDKs, Codex); its other paths are not routed. */
  RESPONSES(Protocol.OPENAI, "/responses", true),
  MESSAGES(Protocol.ANTHROPIC, "/messages", true),
  COUNT_TOKENS(Protocol.ANTHROPIC, "/messages/count_tokens", false),
  /** Any other OpenAI path, passed through unchanged in the transparent mode; the path is the request's. */
  OPENAI_OTHER(Protocol.OPENAI, "", true),
  /** Any other Anthropic path (the request has {@code anthropic-version}), passed through unchanged. */
  ANTHROPIC_OTHER(Protocol.ANTHROPIC, "", true),
  /** Bedrock {@code /model/{id}/invoke[-with-response-stream]} (Claude Code's Bedrock mode), passed through signed. */
  BEDROCK_INVOKE(Protocol.ANTHROPIC, "", true);

  private final Protocol protocol;
  private final String upstreamPath;
  private final boolean canStream;

  Endpoint(Protocol protocol, String upstreamPath, boolean canStream) {
    this.protocol = protocol;
    this.upstreamPath = upstreamPath;
    this.canStream = canStream;
  }

  public Protocol protocol() {
    return protocol;
  }

  public String upstreamPath() {
    return upstreamPath;
  }

  public boolean canStream() {
    return canStream;
  }

  /**
   * The operation of the other protocol that serves this one through translation (chat completions ⇄ messages),
   * or null when it has none there: legacy completions, embeddings and the Responses API have no Anthropic
   * counterpart, count_tokens no OpenAI one. This operation itself when {@code backend} is its own protocol.
   */
  public Endpoint counterpartIn(Protocol backend) {
    if (backend == protocol) {
      return this;
    }
    return switch (this) {
      case CHAT_COMPLETIONS -> MESSAGES;
      case MESSAGES -> CHAT_COMPLETIONS;
      default -> null;
    };
  }
}
