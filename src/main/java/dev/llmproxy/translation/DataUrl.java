package dev.llmproxy.translation;

/** A {@code data:<media type>;base64,<data>} URL, as OpenAI clients send inline images and files. */
record DataUrl(String mediaType, String base64) {

  /** Null when the text is not a base64 data URL (then it is an ordinary URL). */
  static DataUrl parse(String url) {
    if (url == null || !url.startsWith("data:")) {
      return null;
    }
    int comma = url.indexOf(',');
    if (comma < 0) {
      return null;
    }
    String meta = url.substring(5, comma);
    if (!meta.endsWith(";base64")) {
      return null;
    }
    return new DataUrl(meta.substring(0, meta.length() - 7), url.substring(comma + 1));
  }

  String url() {
    return "data:" + mediaType + ";base64," + base64;
  }
}
