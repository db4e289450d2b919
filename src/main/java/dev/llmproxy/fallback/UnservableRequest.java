package dev.llmproxy.fallback;

/**
 * Thrown by a {@link PrepareBody} when a route cannot take this request at all, e.g. it uses something the route's
 * protocol cannot express (audio for Anthropic, a server tool for OpenAI). The walk passes the route over, as it
 * does a disabled one, without judging or cooling it; when no route took the request, the client gets a 400
 * naming the field. Control flow, so no stack trace.
 */
public final class UnservableRequest extends RuntimeException {

  private final String param;

  /** @param param the client's request field at fault ({@code messages[2].content[0]}), or null */
  public UnservableRequest(String message, String param) {
    super(message, null, false, false);
    this.param = param;
  }

  public String param() {
    return param;
  }
}
