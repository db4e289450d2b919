/**
 * Installing the proxy for everything on one machine: {@code --env} (the shell's base-URL variables, only while
 * the proxy answers), {@code --setup-shell}, {@code --setup} (launcher, systemd user unit, transparent default
 * config), {@code --status}, {@code --uninstall}, and the state file through which a running proxy publishes its
 * port. Plain JDK only: no Vert.x, no logging, so {@code --env}, run by every new shell, starts in well under
 * 300 ms.
 */
package dev.llmproxy.install;
