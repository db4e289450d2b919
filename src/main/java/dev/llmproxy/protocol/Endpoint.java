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
}
