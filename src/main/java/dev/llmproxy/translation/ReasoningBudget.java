package dev.llmproxy.translation;

/**
 * OpenAI {@code reasoning_effort} ⇄ Anthropic {@code thinking.budget_tokens}. The budgets are the midpoints
 * of what Anthropic's docs suggest for light, moderate and deep thinking; the reverse map cuts between them, so
 * low, medium and high survive a round trip ({@code minimal} comes back as {@code low}).
 */
final class ReasoningBudget {

  /** Anthropic's smallest allowed budget. */
  static final int MIN_BUDGET = 1024;

  private ReasoningBudget() {}

  /** The budget for an effort, or -1 for none (no thinking) or a value we do not know. */
  static int budget(String effort) {
    if (effort == null) {
      return -1;
    }
    return switch (effort) {
      case "minimal" -> 1024;
      case "low" -> 2048;
      case "medium" -> 8192;
      case "high", "xhigh" -> 24576;
      default -> -1;
    };
  }

  static String effort(long budget) {
    if (budget <= 4096) {
      return "low";
    }
    return budget <= 16384 ? "medium" : "high";
  }
}
