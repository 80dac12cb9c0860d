/**
 * Active health probes: one TCP connect ({@link io.salve.proxy.health.probe.TcpProber}) or one HTTP
 * request ({@link io.salve.proxy.health.probe.HttpProber}) to an endpoint over a connection of its
 * own ({@link io.salve.proxy.health.probe.ChannelProber}), answering a {@link
 * io.salve.proxy.health.ProbeResult}. The only place outside the I/O packages that opens channels:
 * a probe is I/O by nature.
 *
 * <p>May import: Netty (channels, bootstrap, HTTP client codec), config/, health/, transport/,
 * upstream/, util/.
 */
package io.salve.proxy.health.probe;
