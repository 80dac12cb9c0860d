/**
 * Active health probes: one TCP connect ({@link io.salve.proxy.health.probe.TcpProber}), one HTTP
 * request ({@link io.salve.proxy.health.probe.HttpProber}) or one gRPC health check over h2c ({@link
 * io.salve.proxy.health.probe.GrpcProber}) to an endpoint over a connection of its
 * own ({@link io.salve.proxy.health.probe.ChannelProber}), answering a {@link
 * io.salve.proxy.health.ProbeResult}. The only place outside the I/O packages that opens channels:
 * a probe is I/O by nature.
 *
 * <p>May import: Netty (channels, bootstrap, HTTP/1.1 and HTTP/2 client codecs), config/, grpc/,
 * health/, transport/, upstream/, util/.
 */
package io.salve.proxy.health.probe;
