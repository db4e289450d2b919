package dev.llmproxy.net;

/**
 * An address or CIDR range ({@code 10.0.0.0/8}, {@code ::1}) that an IP literal is matched against; a plain
 * address is the range of its full length. Equal when written the same.
 */
public final class IpRange {

  private final byte[] network;
  private final int prefix;
  private final String text;

  private IpRange(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /** @throws IllegalArgumentException with a message fit for a config error */
  public static IpRange parse(String text) {
    String t = text == null ? "" : text.trim();
    int slash = t.indexOf('/');
    byte[] address = IpLiteral.parse(slash < 0 ? t : t.substring(0, slash)).orElseThrow(
        () -> new IllegalArgumentException("must be an IP address or CIDR range, got \"" + text + "\""));
    int prefix = address.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(t.substring(slash + 1));
      } catch (NumberFormatException e) {
        prefix = -1;
      }
      if (prefix < 0 || prefix > address.length * 8) {
        throw new IllegalArgumentException("invalid prefix length in \"" + text + "\"");
      }
    }
    return new IpRange(address, prefix, t);
  }

  /** Whether {@code ip} is a literal address in this range; false for anything unparsable. */
  public boolean contains(String ip) {
    return IpLiteral.parse(ip).map(this::contains).orElse(false);
  }

  /** Whether the address with these bytes ({@link IpLiteral#parse}) is in this range. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return rest == 0 || (address[full] & mask) == (network[full] & mask);
  }

  /** As written in the config. */
  public String text() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IpRange r && r.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
