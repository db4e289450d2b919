package dev.llmproxy.config;

/** How a backend is reached. */
public enum BackendType {
  /** A real provider (or any compatible server) over HTTP(S). */
  HTTP,
  /**
   * The built-in local echo backend: answers every endpoint of both protocols in the right shape (streaming
   * too) by echoing the request. For trying the proxy without keys or network; it is not a model.
   */
  ECHO,
  /**
   * AWS Bedrock's runtime API: Anthropic models with the Anthropic-on-Bedrock body, requests SigV4-signed with
   * AWS credentials ({@link BedrockSettings}), streams as binary AWS eventstream frames.
   */
  BEDROCK
}
