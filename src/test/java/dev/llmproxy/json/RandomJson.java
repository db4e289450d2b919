package dev.llmproxy.json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Random JSON request bodies, valid by construction, shaped to reach every rule of a validating scan: strings of
 * long ASCII runs (whole words at a time), every escape, UTF-8 of each length and the odd forms Jackson still
 * accepts, numbers of every shape, nesting, whitespace of each kind, and the top-level {@code model} and
 * {@code stream} fields (also repeated, or with an escaped name); and mutations of such bodies, which are mostly not.
 */
final class RandomJson {

  /** Bytes a mutation puts in: the ones a scan decides on. */
  private static final byte[] DECISIVE = {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', 0, 0x1F, 0x7F,
      (byte) 0x80, (byte) 0xBF, (byte) 0xC0, (byte) 0xE0, (byte) 0xF0, (byte) 0xF7, (byte) 0xF8, (byte) 0xFF, 'e',
      'E', '.', '-', '+', '0', '1', 'u', 't', 'n', 'f', 'a', '/'};

  private final Random random;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  RandomJson(long seed) {
    this.random = new Random(seed);
  }

  Random random() {
    return random;
  }

  /** One request-like object. */
  byte[] object() {
    out.reset();
    whitespace();
    out.write('{');
    int members = random.nextInt(7);
    for (int i = 0; i < members; i++) {
      if (i > 0) {
        out.write(',');
      }
      whitespace();
      topLevelName();
      whitespace();
      out.write(':');
      whitespace();
      value(1);
      whitespace();
    }
    if (members == 0) {
      whitespace();
    }
    out.write('}');
    whitespace();
    return out.toByteArray();
  }

  /** {@code valid} changed once: cut short, a byte replaced, a byte inserted, or a byte removed. */
  byte[] mutation(byte[] valid) {
    int at = random.nextInt(valid.length + 1);
    switch (random.nextInt(4)) {
      case 0 -> {
        byte[] cut = new byte[at];
        System.arraycopy(valid, 0, cut, 0, at);
        return cut;
      }
      case 1 -> {
        if (at == valid.length) {
          return valid.clone();
        }
        byte[] changed = valid.clone();
        changed[at] = someByte();
        return changed;
      }
      case 2 -> {
        byte[] longer = new byte[valid.length + 1];
        System.arraycopy(valid, 0, longer, 0, at);
        longer[at] = someByte();
        System.arraycopy(valid, at, longer, at + 1, valid.length - at);
        return longer;
      }
      default -> {
        if (at == valid.length) {
          return valid.clone();
        }
        byte[] shorter = new byte[valid.length - 1];
        System.arraycopy(valid, 0, shorter, 0, at);
        System.arraycopy(valid, at + 1, shorter, at, valid.length - at - 1);
        return shorter;
      }
    }
  }

  private byte someByte() {
    return random.nextInt(3) == 0 ? (byte) random.nextInt(256) : DECISIVE[random.nextInt(DECISIVE.length)];
  }

  private void topLevelName() {
    switch (random.nextInt(10)) {
      case 0, 1 -> ascii("\"model\"");
      case 2 -> ascii("\"stream\"");
      case 3 -> ascii(random.nextBoolean() ? "\"mod\\u0065l\"" : "\"str\\u0065am\"");
      case 4 -> ascii("\"messages\"");
      default -> string(6);
    }
  }

  private void value(int depth) {
    int kind = random.nextInt(depth > 6 ? 6 : 9);
    switch (kind) {
      case 0, 1, 2 -> string(random.nextInt(10) == 0 ? 400 : 40);
      case 3 -> number();
      case 4 -> ascii(random.nextBoolean() ? "true" : "false");
      case 5 -> ascii("null");
      case 6, 7 -> array(depth + 1);
      default -> object(depth + 1);
    }
  }

  private void array(int depth) {
    out.write('[');
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.write(',');
      }
      whitespace();
      value(depth);
      whitespace();
    }
    if (n == 0) {
      whitespace();
    }
    out.write(']');
  }

  private void object(int depth) {
    out.write('{');
    int n = random.nextInt(5);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        out.write(',');
      }
      whitespace();
      if (random.nextInt(5) == 0) {
        ascii("\"model\"");
      } else {
        string(8);
      }
      whitespace();
      out.write(':');
      whitespace();
      value(depth);
      whitespace();
    }
    if (n == 0) {
      whitespace();
    }
    out.write('}');
  }

  private void string(int maxPieces) {
    out.write('"');
    int pieces = random.nextInt(maxPieces + 1);
    for (int i = 0; i < pieces; i++) {
      switch (random.nextInt(12)) {
        case 0, 1, 2, 3 -> asciiRun(random.nextInt(4) == 0 ? 100 : 12);
        case 4 -> ascii(random.nextBoolean() ? "\\n" : "\\\"");
        case 5 -> ascii("\\" + "\"\\/bfnrt".charAt(random.nextInt(8)));
        case 6 -> unicodeEscape();
        case 7 -> utf8(random.nextInt(3) == 0 ? 0x80 + random.nextInt(0x780) : 0x800 + random.nextInt(0xD000));
        case 8 -> utf8(0x10000 + random.nextInt(0x100000));
        case 9 -> oddButAcceptedUtf8();
        case 10 -> out.write(0x7F);
        default -> ascii(" ");
      }
    }
    out.write('"');
  }

  private void asciiRun(int max) {
    int n = random.nextInt(max + 1);
    for (int i = 0; i < n; i++) {
      out.write(pick());
    }
  }

  private int pick() {
    int c = 0x20 + random.nextInt(0x5F);
    return c == '"' || c == '\\' ? 'x' : c;
  }

  private void unicodeEscape() {
    int c = switch (random.nextInt(4)) {
      case 0 -> random.nextInt(0x20);
      case 1 -> 0xD800 + random.nextInt(0x800);  // a surrogate, paired or not
      default -> random.nextInt(0x10000);
    };
    String hex = String.format("%04x", c);
    ascii("\\u" + (random.nextBoolean() ? hex : hex.toUpperCase()));
  }

  private void utf8(int codePoint) {
    if (codePoint >= 0xD800 && codePoint <= 0xDFFF) {
      codePoint = 0xE000;
    }
    byte[] bytes = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
    out.write(bytes, 0, bytes.length);
  }

  /** Forms strict UTF-8 refuses but Jackson's checks (lead byte class, continuation bytes) let through. */
  private void oddButAcceptedUtf8() {
    byte[][] forms = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xF7, (byte) 0xBF, (byte) 0xBF, (byte) 0xBF}};
    byte[] form = forms[random.nextInt(forms.length)];
    out.write(form, 0, form.length);
  }

  private void number() {
    StringBuilder n = new StringBuilder();
    if (random.nextBoolean()) {
      n.append('-');
    }
    if (random.nextInt(4) == 0) {
      n.append('0');
    } else {
      n.append(1 + random.nextInt(9));
      digits(n, random.nextInt(random.nextInt(10) == 0 ? 30 : 5));
    }
    if (random.nextBoolean()) {
      n.append('.');
      digits(n, 1 + random.nextInt(6));
    }
    if (random.nextInt(3) == 0) {
      n.append(random.nextBoolean() ? 'e' : 'E');
      int sign = random.nextInt(3);
      n.append(sign == 0 ? "" : sign == 1 ? "+" : "-");
      digits(n, 1 + random.nextInt(3));
    }
    ascii(n.toString());
  }

  private void digits(StringBuilder n, int count) {
    for (int i = 0; i < count; i++) {
      n.append(random.nextInt(10));
    }
  }

  private void whitespace() {
    switch (random.nextInt(8)) {
      case 0 -> out.write(' ');
      case 1 -> ascii("\n  ");
      case 2 -> ascii("\t");
      case 3 -> ascii("\r\n");
      default -> { }
    }
  }

  private void ascii(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    out.write(bytes, 0, bytes.length);
  }
}
