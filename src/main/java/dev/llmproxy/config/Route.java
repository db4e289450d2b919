package dev.llmproxy.config;

/**
 * One way to serve an alias: a backend, the real model name it knows, a priority tier and a weight in it.
 *
 * @param prefill whether the model continues a trailing assistant message (an answer another route began, see
 *     mid-stream recovery in docs/routing.md); false: it gets the original request and must restart the answer
 */
public record Route(String backend, String model, int priority, int weight, boolean prefill) {

  /** A route whose model takes a prefill (the default). */
  public Route(String backend, String model, int priority, int weight) {
    this(backend, model, priority, weight, true);
  }
}
