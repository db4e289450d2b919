package dev.llmproxy.pipeline;

import java.util.List;
import java.util.Locale;

/**
 * A stream that broke after part of the answer reached the client, and what mid-stream recovery made of it: for
 * the access log and the metrics.
 *
 * @param firstBreak why the stream first broke (reset, idle timeout, an error event, an end before the finish)
 * @param charsBeforeBreak characters of answer text the client had received when it first broke
 * @param routes every route that delivered part of the answer, in order ({@code backend/model})
 * @param outcome how it ended
 */
public record StreamRecovery(String firstBreak, long charsBeforeBreak, List<String> routes, Outcome outcome) {

  public StreamRecovery {
    routes = List.copyOf(routes);
  }

  /** How a broken stream ended. */
  public enum Outcome {
    /** Another route finished the answer: the client got it whole. */
    RECOVERED,
    /** No route could continue it (every candidate failed or refused, or the budget or the deadline ran out). */
    FAILED,
    /** A route without prefill restarted the answer, and the restart did not begin with the delivered text. */
    MISMATCH,
    /** It could not be continued: a tool call or reasoning in flight, several choices, a legacy endpoint. */
    UNSUPPORTED,
    /** {@code midstream_recovery: false} for the alias or globally. */
    DISABLED,
    /** The client went away while it was being continued. */
    CLIENT_GONE;

    /** The metric label and access-log value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}
