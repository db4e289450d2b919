/**
 * Lifecycle: graceful drain on SIGTERM/SIGINT. {@link dev.llmproxy.lifecycle.Drain} counts the proxied requests
 * in flight and says whether the gateway is draining; {@link dev.llmproxy.lifecycle.RefuseWhileDraining} is the
 * first pipeline stage (503 while draining); {@link dev.llmproxy.lifecycle.GracefulShutdown} turns the signals
 * into drain, wait, stop, flush, exit.
 */
package dev.llmproxy.lifecycle;
