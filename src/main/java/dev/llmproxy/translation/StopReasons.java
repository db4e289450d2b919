package dev.llmproxy.translation;

/**
 * OpenAI {@code finish_reason} ⇄ Anthropic {@code stop_reason}. Both directions are total: a reason a newer
 * provider invents maps to the plain "finished" of the other side rather than to nothing.
 */
final class StopReasons {

  private StopReasons() {}

  static String toOpenAi(String stopReason) {
    if (stopReason == null) {
      return null;
    }
    return switch (stopReason) {
      case "max_tokens", "model_context_window_exceeded" -> "length";
      case "tool_use" -> "tool_calls";
      case "refusal" -> "content_filter";
      default -> "stop"; // end_turn, stop_sequence, pause_turn
    };
  }

  static String toAnthropic(String finishReason) {
    if (finishReason == null) {
      return null;
    }
    return switch (finishReason) {
      case "length" -> "max_tokens";
      case "tool_calls", "function_call" -> "tool_use";
      case "content_filter" -> "refusal";
      default -> "end_turn"; // stop; OpenAI does not say whether a stop sequence matched
    };
  }
}
