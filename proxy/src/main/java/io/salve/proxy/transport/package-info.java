/**
 * Generic Netty plumbing shared by the listening side (server/), the upstream side (upstream/), the
 * admin server and health probes, with no proxy semantics: choosing the transport (epoll, io_uring
 * or NIO: {@link io.salve.proxy.transport.TransportChoice}, {@link io.salve.proxy.transport.Transports}),
 * socket options and flush consolidation, binding ({@link io.salve.proxy.transport.Binding}), read
 * pacing ({@link io.salve.proxy.transport.OneMessagePerRead}), a rolling timeout on an event loop
 * ({@link io.salve.proxy.transport.RollingTimer}) on the loop's once-per-pass clock ({@link
 * io.salve.proxy.transport.ClockedEventLoop}) and the drain user event ({@link
 * io.salve.proxy.transport.DrainEvent}) that server/ fires and forward/ handles.
 *
 * <p>May import: Netty, config/. No other salve package: everything above depends on this one.
 */
package io.salve.proxy.transport;
