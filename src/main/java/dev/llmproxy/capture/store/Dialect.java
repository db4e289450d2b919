package dev.llmproxy.capture.store;

import java.util.List;
import java.util.stream.Collectors;

/** What differs between the two stores' SQL: upsert, full-text match, string aggregation. */
enum Dialect {
  SQLITE,
  POSTGRES;

  String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  String insertPrefix() {
    return this == SQLITE ? "INSERT OR IGNORE INTO requests " : "INSERT INTO requests ";
  }

  String insertSuffix() {
    return this == SQLITE ? "" : " ON CONFLICT (id) DO NOTHING";
  }

  /** A condition on table alias {@code r} that holds for rows containing every word; binds one parameter. */
  String searchCondition() {
    return this == SQLITE
        ? "r.seq IN (SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?)"
        : "r.search @@ to_tsquery('simple', ?)";
  }

  /** The parameter of {@link #searchCondition()}: words are letters and digits only, so quoting is safe. */
  String searchArgument(List<String> words) {
    return this == SQLITE
        ? words.stream().map(w -> "\"" + w + "\"").collect(Collectors.joining(" "))
        : words.stream().map(w -> "'" + w + "'").collect(Collectors.joining(" & "));
  }

  String distinctList(String column) {
    return this == SQLITE ? "group_concat(DISTINCT " + column + ")" : "string_agg(DISTINCT " + column + ", ',')";
  }
}
