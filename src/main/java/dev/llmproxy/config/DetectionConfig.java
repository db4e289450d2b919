package dev.llmproxy.config;

import dev.llmproxy.detection.BodyPattern;
import dev.llmproxy.detection.DetectionRules;
import dev.llmproxy.detection.StatusPattern;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Compiles a {@code detection:} block (global, or a backend's override) into {@link DetectionRules}. */
final class DetectionConfig {

  private DetectionConfig() {}

  /** @param base what an absent key means: the built-in defaults globally, the global rules in a backend */
  static DetectionRules compile(ConfigNode node, DetectionRules base) {
    node.warnUnknownKeys(Set.of("error_codes", "error_patterns"));
    List<StatusPattern> codes = base.errorCodes();
    if (node.has("error_codes")) {
      codes = new ArrayList<>();
      for (ConfigNode item : node.get("error_codes").items()) {
        try {
          codes.add(StatusPattern.parse(item.string()));
        } catch (IllegalArgumentException e) {
          item.error(e.getMessage());
        }
      }
    }
    List<BodyPattern> patterns = base.errorPatterns();
    if (node.has("error_patterns")) {
      patterns = new ArrayList<>();
      for (ConfigNode item : node.get("error_patterns").items()) {
        try {
          patterns.add(BodyPattern.parse(item.string("")));
        } catch (IllegalArgumentException e) {
          item.error(e.getMessage());
        }
      }
    }
    return new DetectionRules(codes, patterns);
  }
}
