package dev.llmproxy.recovery;

import dev.llmproxy.fallback.ClientBody;
import dev.llmproxy.json.JsonScan;
import dev.llmproxy.observability.LogMasking;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import dev.llmproxy.pipeline.StreamRecovery;
import dev.llmproxy.pipeline.StreamRecovery.Outcome;
import dev.llmproxy.protocol.Endpoint;
import dev.llmproxy.protocol.Protocol;
import dev.llmproxy.routing.Candidate;
import dev.llmproxy.streaming.SseEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The relay's partner for one streamed answer: it reads what the client receives, and when the stream breaks
 * after content reached the client it says whether and how the answer goes on. The relay keeps the walk and the
 * writing; this keeps the answer's state:
 *
 * <ol>
 *   <li>{@link #deliver}: every event on its way to the client (client protocol, after translation) is noted in
 *       the {@link Transcript}; on a continuation leg it is first rewritten into the client's stream
 *       ({@link LegRewriter}).
 *   <li>{@link #broke}: at a break, either {@link Continue} with the body the next candidates receive
 *       ({@link ContinuationBody}), or {@link Stop} (recovery off, nothing to continue, a tool call or reasoning
 *       in flight, several choices, an endpoint other than chat completions and messages).
 *   <li>{@link #continuedOn}: a route accepted the continuation; its events are rewritten from now on.
 *   <li>{@link #ended}: the outcome goes on the request ({@link StreamRecovery}) for the access log and metrics.
 * </ol>
 *
 * When recovery cannot apply to the request at all (off, another endpoint, {@code n} > 1) nothing is read, so the
 * stream costs what it cost before. Confined to the request's event loop.
 */
public final class MidstreamRecovery {

  /** What to do about a break. */
  public sealed interface Decision permits Continue, Stop {}

  /** Continue on the next candidates of the plan, which receive {@code body}. */
  public record Continue(ClientBody body) implements Decision {}

  /** End the stream; {@code why} says why it was not continued, or is null when recovery does not apply. */
  public record Stop(String why) implements Decision {}

  private final RequestContext ctx;
  private final boolean enabled;
  private final Transcript transcript;
  private final List<String> routes = new ArrayList<>();
  private LegRewriter rewriter;
  private String firstBreak;
  private long charsAtBreak;
  private Outcome outcome;

  private MidstreamRecovery(RequestContext ctx, boolean enabled, Transcript transcript, Candidate firstRoute) {
    this.ctx = ctx;
    this.enabled = enabled;
    this.transcript = transcript;
    routes.add(firstRoute.key());
  }

  /** For the stream {@code firstRoute} started delivering to the client of {@code ctx}. */
  public static MidstreamRecovery open(RequestContext ctx, Candidate firstRoute) {
    boolean enabled = ctx.snapshot().fallback().midstreamRecoveryFor(ctx.alias());
    boolean applies = enabled && (ctx.endpoint() == Endpoint.CHAT_COMPLETIONS || ctx.endpoint() == Endpoint.MESSAGES)
        && singleChoice(ctx);
    return new MidstreamRecovery(ctx, enabled, applies ? Transcript.of(ctx.protocol()) : null, firstRoute);
  }

  /**
   * The bytes the client receives for one upstream event, given what the route's event transformer made of it
   * ({@code toClient}, in the client's protocol): rewritten when this is a continuation leg, and noted.
   */
  public Buffer deliver(SseEvent upstream, Buffer toClient) {
    if (transcript == null) {
      return toClient;
    }
    // The identity transformer hands back the upstream's own bytes: its already parsed event is the client's.
    List<SseEvent> events = toClient == upstream.raw() ? List.of(upstream) : SseEvent.parseAll(toClient);
    if (rewriter == null) {
      events.forEach(transcript::observe);
      return toClient;
    }
    Buffer out = Buffer.buffer();
    for (SseEvent event : events) {
      for (SseEvent rewritten : rewriter.rewrite(event)) {
        transcript.observe(rewritten);
        out.appendBuffer(rewritten.raw());
      }
    }
    return out;
  }

  /** Why the leg being delivered cannot be joined to the stream (a restart that differs); null if it can. */
  public String joinFailure() {
    return rewriter == null ? null : rewriter.failure();
  }

  /** Whether part of the answer reached the client and its end did not: a break now is a mid-stream break. */
  public boolean midAnswer() {
    return transcript != null && transcript.hasContent() && !transcript.finished();
  }

  /** The stream being delivered by {@code route} broke for {@code reason}. */
  public Decision broke(Candidate route, String reason) {
    if (transcript != null && (transcript.finished() || !transcript.hasContent())) {
      return new Stop(null);  // not in the middle of an answer: there is nothing to continue
    }
    if (firstBreak == null) {
      firstBreak = reason;
      charsAtBreak = transcript == null ? -1 : transcript.chars();
    }
    outcome = enabled ? Outcome.UNSUPPORTED : Outcome.DISABLED;
    if (transcript == null) {
      return new Stop(null);
    }
    if (transcript.blocker() != null) {
      return new Stop(transcript.blocker());
    }
    if (transcript.reasoningInFlight()) {
      return new Stop("reasoning was being streamed, which cannot be continued");
    }
    outcome = null;
    transcript.usage().legBroke();
    return new Continue(new ContinuationBody(ctx.body(), transcript.text()));
  }

  /** {@code route} accepted the continuation: its events are rewritten into the stream from now on. */
  public void continuedOn(Candidate route) {
    routes.add(route.key());
    String delivered = transcript.text();
    TextSplice splice = route.route().prefill()
        ? TextSplice.afterPrefill(ContinuationBody.heldBack(delivered))
        : TextSplice.restart(delivered);
    rewriter = transcript instanceof AnthropicTranscript anthropic
        ? new AnthropicContinuation(anthropic, splice)
        : new OpenAiContinuation((OpenAiTranscript) transcript, splice);
  }

  /** How the attempt to continue ended, when it did not end with the answer: failed, mismatch, client gone. */
  public void outcome(Outcome ended) {
    outcome = ended;
  }

  /** The delivery ended; a break, if any, is recorded on the request. */
  public void ended(boolean complete, boolean clientGone) {
    if (firstBreak == null) {
      return;
    }
    if (outcome == null) {
      outcome = complete ? Outcome.RECOVERED : clientGone ? Outcome.CLIENT_GONE : Outcome.FAILED;
    }
    ctx.streamRecovery(new StreamRecovery(firstBreak, charsAtBreak, routes, outcome));
  }

  /** The answer text the client has. */
  public String delivered() {
    return transcript == null ? "" : transcript.text();
  }

  /**
   * The error event's message for a stream that ends after a break: {@code stream interrupted: <reason>} as
   * always, plus, when {@code why} says why it was not continued, how much of the answer the client has and,
   * when routes were tried, which attempts were made.
   */
  public String interrupted(String reason, String why, boolean listAttempts) {
    if (why == null) {
      return "stream interrupted: " + reason;
    }
    String message = "stream interrupted: " + reason + "; the answer was cut after " + delivered().length()
        + " characters and " + why;
    if (listAttempts) {
      message += ". Attempts: " + ctx.attempts().stream().map(AttemptRecord::describe)
          .collect(Collectors.joining("; "));
    }
    // Attempts quote providers' error text, which may echo a backend key: masked like a log line.
    return LogMasking.mask(message);
  }

  private static boolean singleChoice(RequestContext ctx) {
    if (ctx.protocol() == Protocol.ANTHROPIC) {
      return true;
    }
    Object n = topLevel(ctx, "n");
    return !(n instanceof Number count) || count.intValue() <= 1;
  }

  /** A field of the client's request, read without decoding the request when no stage has decoded it yet. */
  private static Object topLevel(RequestContext ctx, String field) {
    JsonObject decoded = ctx.decodedBody();
    if (decoded != null || ctx.rawBody() == null) {
      return decoded == null ? null : decoded.getValue(field);
    }
    Buffer value = JsonScan.field(ctx.rawBody(), field, Integer.MAX_VALUE);
    try {
      return value == null ? null : Json.decodeValue(value);
    } catch (RuntimeException notJson) {
      return null;
    }
  }
}
