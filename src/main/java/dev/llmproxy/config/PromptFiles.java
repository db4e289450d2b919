package dev.llmproxy.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code *.txt} files of the system prompt directory as raw bytes, by alias (file name without
 * {@code .txt}). Reading is the only I/O; judging the bytes (UTF-8, size) is the compiler's job, so the
 * compiler stays testable without a disk. A missing directory is simply empty: prompts are optional.
 *
 * @param unreadable files that exist but could not be read, with the reason
 */
public record PromptFiles(Path dir, Map<String, byte[]> contents, Map<String, String> unreadable) {

  /** Larger files are refused rather than read: a prompt is sent with every request of its alias. */
  public static final long MAX_BYTES = 256 * 1024;

  public PromptFiles {
    contents = Map.copyOf(contents);
    unreadable = Map.copyOf(unreadable);
  }

  public static PromptFiles empty(Path dir) {
    return new PromptFiles(dir, Map.of(), Map.of());
  }

  /** Test helper: files given as text. */
  public static PromptFiles of(Path dir, Map<String, String> texts) {
    Map<String, byte[]> bytes = new TreeMap<>();
    texts.forEach((alias, text) -> bytes.put(alias, text.getBytes(StandardCharsets.UTF_8)));
    return new PromptFiles(dir, bytes, Map.of());
  }

  /** Reads the directory. Blocking: call it from a worker thread once serving. */
  public static PromptFiles read(Path dir) {
    Map<String, byte[]> contents = new TreeMap<>();
    Map<String, String> unreadable = new TreeMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.txt")) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        String alias = name.substring(0, name.length() - ".txt".length());
        // Editors' temp files and hidden files are not prompts (e.g. ".m.txt.swp" never matches, ".m.txt" might).
        if (alias.isEmpty() || name.startsWith(".") || !Files.isRegularFile(file)) {
          continue;
        }
        try {
          long size = Files.size(file);
          if (size > MAX_BYTES) {
            unreadable.put(alias, "file is " + size + " bytes; the limit is " + MAX_BYTES);
          } else {
            contents.put(alias, Files.readAllBytes(file));
          }
        } catch (NoSuchFileException e) {
          // Deleted (or renamed away by an editor) between listing and reading: it is not there.
        } catch (IOException e) {
          unreadable.put(alias, "cannot read: " + e.getMessage());
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return empty(dir);
    } catch (IOException e) {
      unreadable.put("", "cannot list " + dir + ": " + e.getMessage());
    }
    return new PromptFiles(dir, contents, unreadable);
  }

  public Path fileOf(String alias) {
    return dir == null ? Path.of(alias + ".txt") : dir.resolve(alias + ".txt");
  }

  /** Digest of names and contents, in name order: equal digests mean nothing changed. */
  public String checksum() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      new TreeMap<>(contents).forEach((alias, bytes) -> {
        digest.update(alias.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(Long.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(bytes);
      });
      new TreeMap<>(unreadable).forEach((alias, reason) -> {
        digest.update(("!" + alias + "\0" + reason + "\0").getBytes(StandardCharsets.UTF_8));
      });
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
