package dev.llmproxy.config;

/**
 * How a {@code type: bedrock} backend signs: its AWS region, and where its credentials come from. With static
 * keys they are used as given; with a {@code profile}, that profile of the shared AWS files; otherwise the AWS
 * SDK's default chain (environment, system properties, {@code ~/.aws/credentials} and {@code ~/.aws/config},
 * web identity, container and instance role).
 *
 * @param accessKeyId null unless static keys are configured (then {@code secretAccessKey} is set too)
 * @param sessionToken optional, with static keys only
 */
public record BedrockSettings(
    String region, String profile, Secret accessKeyId, Secret secretAccessKey, Secret sessionToken) {

  /** The public endpoint of the region's runtime API; a backend {@code url} overrides it. */
  public static String defaultUrl(String region) {
    return "https://bedrock-runtime." + region + ".amazonaws.com";
  }

  public boolean staticKeys() {
    return accessKeyId != null;
  }

  /** Where credentials come from, for operators (never the keys). */
  public String credentialSource() {
    if (staticKeys()) {
      return "static keys";
    }
    return profile != null ? "profile " + profile : "default chain";
  }

  @Override
  public String toString() {
    return "BedrockSettings[region=" + region + ", credentials=" + credentialSource() + "]";
  }
}
