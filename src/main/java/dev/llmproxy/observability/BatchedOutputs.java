package dev.llmproxy.observability;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.io.BufferedOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The console and file outputs of the {@link LogWriter}: they keep a batch of lines in a buffer and write it out
 * when the writer flushes after the batch, one system call per batch instead of one per line; and the lines they
 * share are encoded once ({@link OnceEncoder}).
 */
final class BatchedOutputs {

  static final int BUFFER_BYTES = 64 * 1024;

  private BatchedOutputs() {}

  /** Standard output, buffered. {@code System.out} is looked up at each write, so a replaced one is honoured. */
  static final class Console extends OutputStreamAppender<ILoggingEvent> implements Flushable {

    @Override
    public void start() {
      setImmediateFlush(false);
      setOutputStream(new BufferedOutputStream(new OutputStream() {
        @Override
        public void write(int b) {
          System.out.write(b);
        }

        @Override
        public void write(byte[] bytes, int off, int len) {
          System.out.write(bytes, off, len);
        }

        @Override
        public void flush() {
          System.out.flush();
        }
      }, BUFFER_BYTES));
      super.start();
    }

    @Override
    public void flush() throws IOException {
      flushUnderLock(this, streamWriteLock);
    }

    @Override
    protected void closeOutputStream() {
      try {
        getOutputStream().flush();  // never close standard output
      } catch (IOException | RuntimeException e) {
        addError("could not flush the console", e);
      }
    }
  }

  /** A rolling file whose buffer is written out once per batch. */
  static final class File extends RollingFileAppender<ILoggingEvent> implements Flushable {

    @Override
    public void start() {
      setImmediateFlush(false);
      setBufferSize(new ch.qos.logback.core.util.FileSize(BUFFER_BYTES));
      super.start();
    }

    @Override
    public void flush() throws IOException {
      flushUnderLock(this, streamWriteLock);
    }
  }

  private static void flushUnderLock(OutputStreamAppender<?> appender, java.util.concurrent.locks.Lock lock)
      throws IOException {
    lock.lock();
    try {
      OutputStream out = appender.getOutputStream();
      if (out != null) {
        out.flush();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * One encoder shared by the outputs of one {@code logging:} section: an access line goes to its file and to the
   * console (and a failed request's to errors.log too), all in the same format, so it is encoded once and the
   * same bytes are written to each. Used on the writer thread only, which hands each line to every output before
   * the next line.
   */
  static final class OnceEncoder extends ContextAwareBase implements Encoder<ILoggingEvent> {

    private final Encoder<ILoggingEvent> real;
    private ILoggingEvent last;
    private byte[] lastBytes;

    OnceEncoder(Encoder<ILoggingEvent> real) {
      this.real = real;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
      if (event != last) {
        lastBytes = real.encode(event);
        last = event;
      }
      return lastBytes;
    }

    @Override
    public byte[] headerBytes() {
      return real.headerBytes();
    }

    @Override
    public byte[] footerBytes() {
      return real.footerBytes();
    }

    @Override
    public void start() {
      if (!real.isStarted()) {
        real.start();
      }
    }

    @Override
    public void stop() {
      last = null;
      lastBytes = null;
    }

    @Override
    public boolean isStarted() {
      return real.isStarted();
    }
  }
}
