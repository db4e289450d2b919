package dev.llmproxy.config;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code kill -HUP <pid>} reloads the config, the Unix convention for daemons. Uses {@code sun.misc.Signal}
 * (module jdk.unsupported), the only way a JVM can catch it; where that is missing (Windows, a stripped JRE)
 * the gateway runs on without it and says so.
 */
public final class HangupSignal {

  private static final Logger LOG = LoggerFactory.getLogger(HangupSignal.class);

  private HangupSignal() {}

  /** @return whether the handler is installed */
  public static boolean install(Runnable onHangup) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> onHangup.run());
      return true;
    } catch (Throwable e) { // IllegalArgumentException (no such signal), LinkageError (no jdk.unsupported)
      LOG.warn("SIGHUP reload unavailable on this platform ({}); use POST /admin/reload", e.toString());
      return false;
    }
  }
}
