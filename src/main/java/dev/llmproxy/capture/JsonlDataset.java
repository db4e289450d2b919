package dev.llmproxy.capture;

import dev.llmproxy.config.CaptureSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSONL dataset: one record per line in {@code directory/<layout>/requests-<date>[.<n>].jsonl}. A file rolls
 * when the day changes (by the gateway's clock) and when the next line would take it past {@code max_file_mb};
 * rolled and closed files are fsynced. A line is handed to the OS in one write, and a file that ends in a torn
 * line (a crash mid-write) is cut back to its last whole line before anything is appended, so every line of
 * every file parses. When the directory cannot be written (missing, read-only, disk full) the line is lost to
 * the dataset, the problem is logged at most once a minute, and the next record tries again: capture resumes by
 * itself. Used by the capture writer thread only.
 */
final class JsonlDataset implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(JsonlDataset.class);
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z]+)}");
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9._-]");
  static final int MAX_OPEN_FILES = 32;
  private static final String TOPIC = "dataset";

  private final Clock clock;
  private final ThrottledLog problems;
  private final Map<Path, OpenFile> open = new LinkedHashMap<>(16, 0.75f, true);
  private CaptureSettings settings;
  private boolean failing;

  JsonlDataset(Clock clock, ThrottledLog problems) {
    this.clock = clock;
    this.problems = problems;
  }

  /** @return true when the line is in the dataset (false: no dataset configured, or it could not be written) */
  boolean write(CaptureSettings current, CaptureRecord record) {
    follow(current);
    if (current.directory() == null) {
      return false;
    }
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    Path dir = current.directory().resolve(folder(current.layout(), today, record));
    byte[] line = (record.line() + "\n").getBytes(StandardCharsets.UTF_8);
    try {
      OpenFile file = fileFor(dir, today, line.length, current.maxFileBytes());
      file.append(line);
      if (failing) {
        failing = false;
        problems.clear(TOPIC);
        LOG.info("capture: the dataset directory {} is writable again; records are written as before",
            current.directory());
      }
      return true;
    } catch (IOException | RuntimeException e) {
      OpenFile broken = open.remove(dir);
      if (broken != null) {
        broken.closeQuietly();
      }
      failing = true;
      problems.warn(TOPIC, "capture: cannot write the dataset in {}: {}; records miss the dataset (store and Loki "
          + "still get them) until it can be written again", dir, e.toString());
      return false;
    }
  }

  /** A changed directory, layout or size limit: finish the files of the old settings. */
  private void follow(CaptureSettings current) {
    if (settings != null && (!java.util.Objects.equals(settings.directory(), current.directory())
        || !settings.layout().equals(current.layout()) || settings.maxFileBytes() != current.maxFileBytes())) {
      closeAll();
    }
    settings = current;
  }

  private OpenFile fileFor(Path dir, LocalDate today, int lineBytes, long maxBytes) throws IOException {
    OpenFile file = open.get(dir);
    if (file != null && (!file.date.equals(today) || file.size + lineBytes > maxBytes && file.size > 0)) {
      open.remove(dir);
      boolean sameDay = file.date.equals(today);
      int next = sameDay ? file.index + 1 : 0;
      file.close();
      file = sameDay ? OpenFile.open(dir, today, next) : null;
    }
    if (file == null) {
      file = OpenFile.openLatest(dir, today, lineBytes, maxBytes);
    }
    open.put(dir, file);
    if (open.size() > MAX_OPEN_FILES) {
      Iterator<OpenFile> eldest = open.values().iterator();
      OpenFile idle = eldest.next();
      eldest.remove();
      idle.closeQuietly();
    }
    return file;
  }

  /** Forces every open file to disk. */
  void sync() {
    for (OpenFile f : open.values()) {
      try {
        f.channel.force(true);
      } catch (IOException e) {
        problems.warn(TOPIC, "capture: cannot sync {}: {}", f.path, e.toString());
      }
    }
  }

  private void closeAll() {
    for (OpenFile f : open.values()) {
      f.closeQuietly();
    }
    open.clear();
  }

  @Override
  public void close() {
    closeAll();
  }

  /** The layout with its placeholders filled in, each value made safe as one folder name. */
  static String folder(String layout, LocalDate date, CaptureRecord record) {
    Matcher m = PLACEHOLDER.matcher(layout);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = switch (m.group(1)) {
        case "date" -> date.toString();
        case "alias" -> record.row().alias();
        case "backend" -> record.row().backend();
        case "protocol" -> record.row().protocol();
        case "session" -> record.row().sessionId();
        default -> m.group(0);
      };
      m.appendReplacement(out, Matcher.quoteReplacement(safe(value)));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String safe(String value) {
    if (value == null || value.isBlank()) {
      return "none";
    }
    String s = UNSAFE.matcher(value).replaceAll("_");
    if (s.startsWith(".")) {
      s = "_" + s.substring(1);
    }
    return s.length() > 100 ? s.substring(0, 100) : s;
  }

  /** One dataset file being appended to. */
  private static final class OpenFile {
    final Path path;
    final FileChannel channel;
    final LocalDate date;
    final int index;
    long size;

    private OpenFile(Path path, FileChannel channel, LocalDate date, int index, long size) {
      this.path = path;
      this.channel = channel;
      this.date = date;
      this.index = index;
      this.size = size;
    }

    static Path name(Path dir, LocalDate date, int index) {
      return dir.resolve("requests-" + date + (index == 0 ? "" : "." + index) + ".jsonl");
    }

    /** The day's newest file, or the next one when it has no room for this line. */
    static OpenFile openLatest(Path dir, LocalDate date, int lineBytes, long maxBytes) throws IOException {
      int index = 0;
      while (Files.exists(name(dir, date, index + 1))) {
        index++;
      }
      Path latest = name(dir, date, index);
      if (Files.exists(latest) && Files.size(latest) > 0 && Files.size(latest) + lineBytes > maxBytes) {
        index++;
      }
      return open(dir, date, index);
    }

    static OpenFile open(Path dir, LocalDate date, int index) throws IOException {
      Files.createDirectories(dir);
      Path path = name(dir, date, index);
      if (Files.exists(path)) {
        try (FileChannel check = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          repair(path, check);
        }
      }
      // APPEND: each write lands at the end even if another process appends to the same file.
      FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
      return new OpenFile(path, channel, date, index, channel.size());
    }

    /** Cuts a torn last line (a crash in the middle of a write); @return the file's size after that */
    static long repair(Path path, FileChannel channel) throws IOException {
      long size = channel.size();
      if (size == 0 || lastByte(channel, size - 1) == '\n') {
        return size;
      }
      long keep = 0;
      ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
      for (long end = size; end > 0 && keep == 0; ) {
        long start = Math.max(0, end - chunk.capacity());
        chunk.clear().limit((int) (end - start));
        channel.read(chunk, start);
        for (int i = chunk.position() - 1; i >= 0; i--) {
          if (chunk.get(i) == '\n') {
            keep = start + i + 1;
            break;
          }
        }
        end = start;
      }
      channel.truncate(keep);
      channel.force(true);
      LOG.warn("capture: {} ended in a torn line (the process stopped mid-write); cut it back to its last whole "
          + "line ({} bytes dropped)", path, size - keep);
      return keep;
    }

    private static byte lastByte(FileChannel channel, long position) throws IOException {
      ByteBuffer one = ByteBuffer.allocate(1);
      channel.read(one, position);
      return one.get(0);
    }

    /** Writes the whole line with one write call (looping only if the OS takes part of it). */
    void append(byte[] line) throws IOException {
      ByteBuffer buffer = ByteBuffer.wrap(line);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      size += line.length;
    }

    void close() throws IOException {
      try {
        channel.force(true);
      } finally {
        channel.close();
      }
    }

    void closeQuietly() {
      try {
        close();
      } catch (IOException e) {
        // the file is being abandoned after a failure, or at shutdown with the error already logged
      }
    }
  }
}
