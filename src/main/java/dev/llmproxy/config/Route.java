package dev.llmproxy.config;

/**
 * One way to serve an alias: a backend, the real model name it knows, a priority tier and a weight in it.
 *
 * @param demoteNonstreaming the route's own {@code demote_nonstreaming}, or null to follow its backend's
 */
public record Route(String backend, String model, int priority, int weight, Boolean demoteNonstreaming) {

  public Route(String backend, String model, int priority, int weight) {
    this(backend, model, priority, weight, null);
  }

  /** Whether a client's non-stream request goes to this route as a stream that the proxy reassembles. */
  public boolean demotes(Backend backend) {
    return demoteNonstreaming != null ? demoteNonstreaming : backend.demoteNonstreaming();
  }
}
