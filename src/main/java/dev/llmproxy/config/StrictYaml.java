package dev.llmproxy.config;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * What vertx-config-yaml's processor lets pass, refused with a position before it runs. The processor loads with
 * SnakeYAML's default options, which keep the last of two equal keys without a word: a second {@code url:} that
 * silently replaces the first is exactly the mistake a config check must catch. So the text is first composed
 * into SnakeYAML's node tree (scanner, parser and composer: every syntax error, with its line and column), and
 * the tree is walked for keys that repeat in one mapping. Only keys are constructed (with the same
 * {@link SafeConstructor} the processor uses), so {@code yes:} and {@code true:} are the same key, as they are
 * to SnakeYAML; values are left to the processor. Blocking (CPU only): run it on a worker thread.
 */
final class StrictYaml {

  /** Anchors repeated more often than this are a "billion laughs" document, not a config (SnakeYAML's default). */
  private static final int MAX_ALIASES = 50;

  private StrictYaml() {}

  /** @throws ConfigException the first problem, naming its line and column where SnakeYAML knows them */
  static void check(Path file, byte[] bytes) throws ConfigException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(MAX_ALIASES);
    Node root;
    try {
      root = new Yaml(new SafeConstructor(options)).compose(
          new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (YAMLException e) {
      throw invalid(file, e);
    }
    if (root == null || (root instanceof ScalarNode scalar && scalar.getTag().equals(Tag.NULL))) {
      throw new ConfigException(file.toString(), List.of("file is empty"));
    }
    if (!(root instanceof MappingNode)) {
      throw new ConfigException(file.toString(), List.of("top level must be a mapping of settings"));
    }
    try {
      new KeyCheck(options).walk(root);
    } catch (YAMLException e) {
      throw invalid(file, e);
    }
  }

  /**
   * A failed YAML load as one problem: {@code invalid YAML at line 3, column 5: found duplicate key url}. Reads
   * the position from a SnakeYAML exception anywhere in the cause chain (the processor may wrap it).
   */
  static ConfigException invalid(Path file, Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException marked) {
        return new ConfigException(file.toString(), List.of(positioned(marked.getProblemMark(), marked.getProblem())));
      }
      if (t instanceof YAMLException) {
        return new ConfigException(file.toString(), List.of("invalid YAML: " + t.getMessage()));
      }
    }
    return new ConfigException(file.toString(), List.of("invalid YAML: " + failure.getMessage()));
  }

  private static String positioned(Mark mark, String problem) {
    String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
    return "invalid YAML" + where + ": " + problem;
  }

  /** Walks every mapping once (an alias points at a node already seen) and compares its keys. */
  private static final class KeyCheck extends SafeConstructor {

    private final Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());

    KeyCheck(LoaderOptions options) {
      super(options);
    }

    void walk(Node node) {
      if (!seen.add(node)) {
        return;
      }
      if (node instanceof MappingNode mapping) {
        Set<Object> keys = new HashSet<>();
        for (NodeTuple tuple : mapping.getValue()) {
          Node keyNode = tuple.getKeyNode();
          // `<<: *defaults` merges another mapping; a key written next to it overrides, as YAML intends.
          if (!keyNode.getTag().equals(Tag.MERGE)) {
            Object key = constructObject(keyNode);
            if (key == null) {
              // The processor names keys with toString(): a null key would fail it without a position.
              throw new KeyException(keyNode.getStartMark(), "a key must not be empty (null)");
            }
            if (!keys.add(key)) {
              throw new KeyException(keyNode.getStartMark(), "found duplicate key " + key);
            }
          }
          walk(tuple.getValueNode());
        }
      } else if (node instanceof SequenceNode sequence) {
        sequence.getValue().forEach(this::walk);
      }
    }
  }

  private static final class KeyException extends MarkedYAMLException {

    KeyException(Mark mark, String problem) {
      super(null, null, problem, mark);
    }
  }
}
