/**
 * Traffic capture: one versioned record per proxied request (docs/capture.md), built off the event loops and
 * written to a JSONL dataset, the store ({@code capture.store}) and Loki ({@code capture.loki}).
 *
 * <p>{@link dev.llmproxy.capture.Capture} is the service (stage, relay observer, reload, shutdown);
 * {@code CaptureTap} is a request's relay observer (the body its route received, what its client was sent);
 * {@code FinishedExchange} is a request's state copied at its finish; {@code CaptureWriter} is the writer thread;
 * {@code RecordBuilder} builds a record with {@code StreamReassembly} (a stream back into one answer),
 * {@code SessionIds}, {@code MessageText} and {@code RecordMasking}; {@code JsonlDataset} owns the files;
 * {@link dev.llmproxy.capture.DatasetExport} is {@code --export}.
 */
package dev.llmproxy.capture;
