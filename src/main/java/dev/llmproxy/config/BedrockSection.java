package dev.llmproxy.config;

import java.util.List;
import java.util.regex.Pattern;

/** Compiles the AWS keys of a {@code type: bedrock} backend into {@link BedrockSettings}. */
final class BedrockSection {

  /** AWS region names: {@code us-east-1}, {@code eu-central-2}, {@code us-gov-west-1}, {@code cn-north-1}. */
  private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d+");

  private BedrockSection() {}

  /**
   * @param missingEnv collects unset variables: like an {@code api_key}, a static key from an unset variable
   *     disables the backend instead of failing the config
   */
  static BedrockSettings compile(ConfigNode b, List<String> missingEnv) {
    ConfigNode regionNode = b.get("region");
    String region = regionNode.string();
    if (region == null || region.isBlank()) {
      regionNode.error("required for a bedrock backend, e.g. us-east-1");
      region = null;
    } else if (!REGION.matcher(region.trim()).matches()) {
      regionNode.error("must be an AWS region name such as us-east-1, got \"" + region + "\"");
      region = null;
    } else {
      region = region.trim();
    }
    String profile = b.get("profile").string();
    Secret keyId = secret(b.get("access_key_id"), missingEnv);
    Secret secretKey = secret(b.get("secret_access_key"), missingEnv);
    Secret token = secret(b.get("session_token"), missingEnv);
    boolean keyIdGiven = b.has("access_key_id");
    boolean secretGiven = b.has("secret_access_key");
    if (keyIdGiven != secretGiven) {
      b.get(keyIdGiven ? "secret_access_key" : "access_key_id")
          .error("static AWS keys need both access_key_id and secret_access_key");
    }
    if (b.has("session_token") && !keyIdGiven) {
      b.get("session_token").error("only used with static keys (access_key_id and secret_access_key)");
    }
    if (profile != null && !profile.isBlank() && keyIdGiven) {
      b.get("profile").error("use either a profile or static keys, not both");
    }
    return new BedrockSettings(region, profile == null || profile.isBlank() ? null : profile.trim(),
        keyId, secretKey, token);
  }

  private static Secret secret(ConfigNode node, List<String> missingEnv) {
    EnvExpander.Expansion e = node.expansion();
    if (e == null) {
      return null;
    }
    missingEnv.addAll(e.missing());
    return e.complete() && !e.value().isBlank() ? new Secret(e.value().trim()) : null;
  }
}
