/**
 * The listening side: binding each configured listener ({@link io.salve.proxy.server.SalveServer}),
 * building a client connection's pipeline in named steps ({@link
 * io.salve.proxy.server.ListenerInitializer}: transport handlers, strict request decoding, timeouts,
 * then forward/'s receiver), HTTP/2 on the same port ({@link io.salve.proxy.server.ProtocolDetector}
 * finds the preface, {@link io.salve.proxy.server.Http2Connections} installs Netty's codec and
 * multiplexer, {@link io.salve.proxy.server.Http2ConnectionGuard} the idle timeout and the GOAWAY on
 * drain), connection limits, and draining (it fires {@link
 * io.salve.proxy.transport.DrainEvent} down every client pipeline).
 *
 * <p>May import: Netty, config/, codec/, tls/ (the handlers a TLS listener puts first), transport/,
 * forward/, upstream/, util/. Nothing but the
 * composition root imports it: forward/ must never call back into server/ (a cycle the layering test
 * rejects).
 */
package io.salve.proxy.server;
