package dev.llmproxy.config;

/**
 * One way to serve an alias: a backend, the real model name it knows, a priority tier and a weight in it.
 *
 * @param prefill whether the model continues a trailing assistant message (an answer another route began, see
 *     mid-stream recovery in docs/routing.md); false: it gets the original request and must restart the answer
 * @param demoteNonstreaming the route's own {@code demote_nonstreaming}, or null to follow its backend's
 */
public record Route(String backend, String model, int priority, int weight, boolean prefill,
    Boolean demoteNonstreaming) {

  /** A route whose model takes a prefill (the default) and that follows its backend's demotion. */
  public Route(String backend, String model, int priority, int weight) {
    this(backend, model, priority, weight, true, null);
  }

  /** Whether a client's non-stream request goes to this route as a stream that the proxy reassembles. */
  public boolean demotes(Backend backend) {
    return demoteNonstreaming != null ? demoteNonstreaming : backend.demoteNonstreaming();
  }
}
