package dev.llmproxy.install;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --setup-shell, --setup and --uninstall in a temporary HOME. */
class InstallTest {

  @TempDir Path home;
  private Path jar;
  private final List<String> systemctlCalls = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  @BeforeEach
  void fakeJar() throws IOException {
    jar = Files.writeString(home.resolve("built.jar"), "not really a jar");
  }

  private Map<String, String> env() {
    return Map.of("HOME", home.toString(), "SHELL", "/bin/bash");
  }

  private int run(String... args) {
    return ClientCommands.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8), env(), () -> jar,
        a -> systemctlCalls.add(String.join(" ", a)));
  }

  private static long count(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }

  @Test
  void setupTwiceAddsEachThingOnceAndUninstallLeavesRcFilesByteIdentical() throws Exception {
    // No final newline in .bashrc: setup adds one before its line, and uninstall must take it away again.
    byte[] bashrc = "alias ll='ls -l'\nexport PATH=$HOME/bin:$PATH".getBytes(StandardCharsets.UTF_8);
    byte[] zshrc = "setopt autocd\n".getBytes(StandardCharsets.UTF_8);
    Files.write(home.resolve(".bashrc"), bashrc);
    Files.write(home.resolve(".zshrc"), zshrc);

    assertEquals(0, run("--setup", "--no-systemctl"), out.toString());
    assertEquals(0, run("--setup", "--no-systemctl"), out.toString());

    for (String rc : List.of(".bashrc", ".zshrc")) {
      String text = Files.readString(home.resolve(rc));
      assertEquals(1, count(text, RcFiles.MARKER), text);
      assertTrue(text.endsWith(RcFiles.LINE + "\n"), text);
    }
    Path launcher = home.resolve(".local/bin/llm-proxy");
    assertTrue(Files.isExecutable(launcher));
    assertTrue(Files.readString(launcher).contains("../share/llm-proxy/llm-proxy.jar"));
    assertEquals("not really a jar", Files.readString(home.resolve(".local/share/llm-proxy/llm-proxy.jar")));
    String unit = Files.readString(home.resolve(".config/systemd/user/llm-proxy.service"));
    assertTrue(unit.contains("ExecStart=" + launcher + " --register -config "
        + home.resolve(".config/llm-proxy/config.yaml")), unit);
    assertTrue(unit.contains("Environment=XDG_STATE_HOME=" + home.resolve(".local/state")), unit);
    var config = dev.llmproxy.support.ConfigFiles.load(home.resolve(".config/llm-proxy/config.yaml"));
    assertTrue(config.passthrough().enabled() && config.backends().get("openai").forwardsClientKey()
        && config.backends().get("anthropic").forwardsClientKey(), "the default config is the transparent mode");
    assertEquals(List.of(), config.warnings());
    Path captures = home.resolve(".local/share/llm-proxy/capture");
    assertTrue(config.capture().enabled(), "the transparent mode captures every request");
    assertEquals(captures, config.capture().directory());
    assertEquals(captures.resolve("requests.db"), config.capture().store().path());
    assertFalse(Files.exists(captures), "created by the proxy when it captures, not by setup");
    assertEquals(List.of(), systemctlCalls);  // --no-systemctl

    assertEquals(0, run("--uninstall", "--no-systemctl"), out.toString());
    assertArrayEquals(bashrc, Files.readAllBytes(home.resolve(".bashrc")));
    assertArrayEquals(zshrc, Files.readAllBytes(home.resolve(".zshrc")));
    try (Stream<Path> left = Files.walk(home)) {
      assertEquals(List.of(home, home.resolve(".bashrc"), home.resolve(".zshrc"), jar),
          left.sorted().toList(), "everything setup added is gone, directories included");
    }
  }

  @Test
  void theDefaultConfigCapturesIntoAPathWithSpacesAndQuotesAsWritten() throws Exception {
    home = Files.createDirectories(home.resolve("a \"quoted\" home\\x"));
    jar = Files.writeString(home.resolve("built.jar"), "not really a jar");
    assertEquals(0, run("--setup", "--no-systemctl"), out.toString());
    var config = dev.llmproxy.support.ConfigFiles.load(home.resolve(".config/llm-proxy/config.yaml"));
    assertEquals(home.resolve(".local/share/llm-proxy/capture"), config.capture().directory());
  }

  @Test
  void statusSaysWhereTheConfigCapturesAndUninstallKeepsTheCapturedTraffic() throws Exception {
    assertEquals(3, run("--status"), out.toString());
    assertTrue(out.toString().contains("capture: off (no config)"), out.toString());
    assertEquals(0, run("--setup", "--no-systemctl"), out.toString());
    out.reset();
    List<Path> asked = new ArrayList<>();
    assertEquals(3, ClientCommands.run(new String[] {"--status"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(out, true, StandardCharsets.UTF_8), env(), () -> jar, a -> true, config -> {
          asked.add(config);
          return "where the locator says";
        }), out.toString());
    assertEquals(List.of(home.resolve(".config/llm-proxy/config.yaml")), asked);
    assertTrue(out.toString().contains("capture: where the locator says"), out.toString());

    Path captured = Files.createDirectories(home.resolve(".local/share/llm-proxy/capture/2026-11-30/gpt-4o"));
    Files.writeString(captured.resolve("records.jsonl"), "{}\n");
    assertEquals(0, run("--uninstall", "--no-systemctl"), out.toString());
    assertTrue(Files.exists(captured.resolve("records.jsonl")), "captured traffic is the user's");
    assertTrue(out.toString().contains("kept " + home.resolve(".local/share/llm-proxy/capture")), out.toString());
    assertFalse(Files.exists(home.resolve(".local/share/llm-proxy/llm-proxy.jar")));
  }

  @Test
  void setupShellCreatesTheLoginShellsRcOnlyAndUninstallRemovesIt() throws Exception {
    assertEquals(0, run("--setup-shell"), out.toString());
    assertEquals(RcFiles.LINE + "\n", Files.readString(home.resolve(".bashrc")));
    assertFalse(Files.exists(home.resolve(".zshrc")));
    assertTrue(out.toString().contains("not installed yet"), out.toString());
    assertEquals(0, run("--uninstall"), out.toString());
    assertFalse(Files.exists(home.resolve(".bashrc")));
  }

  @Test
  void uninstallKeepsAConfigTheUserChangedAndStopsTheService() throws Exception {
    assertEquals(0, run("--setup"), out.toString());
    assertEquals(List.of("--user daemon-reload", "--user enable --now llm-proxy.service"), systemctlCalls);
    Path config = home.resolve(".config/llm-proxy/config.yaml");
    Files.writeString(config, "# mine now\n", java.nio.file.StandardOpenOption.APPEND);
    assertEquals(0, run("--uninstall"), out.toString());
    assertTrue(systemctlCalls.contains("--user disable --now llm-proxy.service"), systemctlCalls.toString());
    assertTrue(Files.readString(config).endsWith("# mine now\n"));
    assertTrue(out.toString().contains("kept " + config + " (changed since setup)"), out.toString());
    assertFalse(Files.exists(home.resolve(".local/bin/llm-proxy")));
  }

  @Test
  void generatedUserUnitPassesSystemdAnalyzeVerify() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
        "systemd-analyze is not installed (Debian package systemd; .ci/run installs it)");
    assertEquals(0, run("--setup", "--no-systemctl"), out.toString());
    Path runtime = Files.createDirectories(home.resolve("run"));
    // A user manager needs a runtime directory; the sandbox (and CI) has no login session, so give it one.
    ProcessBuilder verify = new ProcessBuilder("systemd-analyze", "--user", "verify",
        home.resolve(".config/systemd/user/llm-proxy.service").toString()).redirectErrorStream(true);
    verify.environment().put("HOME", home.toString());
    verify.environment().put("XDG_RUNTIME_DIR", runtime.toString());
    verify.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
    Process p = verify.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), output);
    assertEquals("", output.trim(), "systemd-analyze found problems in the unit");
  }

  @Test
  void setupRefusesToOverwriteALauncherItDidNotInstall() throws Exception {
    Path launcher = Files.createDirectories(home.resolve(".local/bin")).resolve("llm-proxy");
    Files.writeString(launcher, "#!/bin/sh\necho mine\n");
    assertEquals(0, run("--setup", "--no-systemctl"), out.toString());
    assertEquals("#!/bin/sh\necho mine\n", Files.readString(launcher));
    run("--uninstall", "--no-systemctl");
    assertEquals("#!/bin/sh\necho mine\n", Files.readString(launcher));
  }

  @Test
  void launcherTemplateUsesTheServerJvmFlagsOfDistLauncher() throws Exception {
    Path dist = Path.of("dist/llm-proxy");
    Assumptions.assumeTrue(Files.exists(dist), "dist/llm-proxy (the launcher the hardening branch adds) is not here");
    String ours = Installer.template("llm-proxy.sh");
    String theirs = Files.readString(dist);
    for (String token : theirs.split("[\\s\"']+")) {
      if (token.startsWith("-Xm") || token.startsWith("-XX:")) {
        assertTrue(ours.contains(token), "dist/llm-proxy uses " + token + "; src/main/resources/install/llm-proxy.sh"
            + " must use the same JVM flags");
      }
    }
  }
}
