package dev.llmproxy.capture;

import dev.llmproxy.capture.store.RequestRow;

/**
 * One finished, masked record, ready for every sink: the JSONL line (also the store's {@code record} column
 * and the Loki entry), the store row, and the values the dataset layout names.
 */
record CaptureRecord(String line, RequestRow row) {

  String statusClass() {
    int status = row.status();
    return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
  }
}
