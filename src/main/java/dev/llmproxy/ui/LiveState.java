package dev.llmproxy.ui;

import io.vertx.core.json.JsonObject;

/**
 * What the Overview shows besides the store's figures: the gateway's state now (config version, last reload,
 * route health, capture), or, in the explorer, where the data comes from. Built on a worker thread.
 */
interface LiveState {

  /** The {@code /ui/api/status} body, without the parts {@link UiApi} adds (auth mode, store range). */
  JsonObject status();
}
