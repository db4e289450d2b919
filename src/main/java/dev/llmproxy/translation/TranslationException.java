package dev.llmproxy.translation;

/**
 * A request that cannot be expressed in the backend's protocol (e.g. an audio part for Anthropic, a server tool
 * for OpenAI). The message names the field; the caller answers 400 in the client's protocol, or skips the route
 * when another one speaks the client's protocol. Control flow, so no stack trace.
 */
public final class TranslationException extends RuntimeException {

  private final String param;

  TranslationException(String message, String param) {
    super(message, null, false, false);
    this.param = param;
  }

  /** The request field at fault, in the client's terms ({@code messages[2].content[0]}). */
  public String param() {
    return param;
  }
}
