package dev.llmproxy.connections;

import io.netty.handler.codec.DecoderException;

/** Why a request's framing was refused, and the status that says so (400, or 501 for an unknown coding). */
final class FramingViolation extends DecoderException {

  private final int status;

  FramingViolation(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;  // a client's mistake, not a bug: no stack trace
  }
}
