package dev.llmproxy.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Where the gateway listens. */
public record ListenAddress(String host, int port) {

  /**
   * Loopback means only this machine can connect, which is the one case where running without a proxy key
   * is safe. Host names are resolved (localhost is loopback); an unresolvable name counts as exposed.
   */
  public boolean isLoopback() {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
