package io.salve.proxy.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.salve.config.ListenerLimits;
import io.salve.proxy.codec.PassThroughResponseEncoder;
import io.salve.proxy.forward.ClientRequestReceiver;
import io.salve.proxy.forward.ClientTimeoutsHandler;
import io.salve.proxy.forward.ListenerContext;
import io.salve.proxy.forward.ListenerSlot;
import io.salve.proxy.tls.TlsListeners;
import io.salve.proxy.transport.OneMessagePerRead;
import io.salve.proxy.transport.Transports;

/**
 * Builds the pipeline of each client connection, in named steps:
 *
 * <pre>
 * [tls → tlsHandshake →] flush → timeouts → [detect →] decoder → encoder → flow → receiver
 * </pre>
 *
 * The TLS steps come first on a listener with {@code tls} ({@link TlsListeners}). On a listener that
 * serves h2c, {@code detect} ({@link ProtocolDetector}) looks for the HTTP/2 connection preface and
 * either steps aside or swaps the HTTP/1.1 steps for HTTP/2 ones ({@link Http2Connections}).
 *
 * Flushes are consolidated ({@link Transports#consolidatedFlushes}).
 */
final class ListenerInitializer extends ChannelInitializer<Channel> {
  /** The HTTP/1.1 steps an HTTP/2 connection does without. */
  static final java.util.List<String> HTTP1_HANDLERS = java.util.List.of("timeouts", "decoder", "encoder", "flow", "receiver");

  private final ListenerSlot slot;
  private final ChannelGroup clients;
  private final ChannelGroup connections;
  private final TlsListeners tls;

  /**
   * @param clients every client connection of the server (drained on shutdown)
   * @param connections the client connections of this listener (drained when a reload removes it)
   */
  ListenerInitializer(ListenerSlot slot, ChannelGroup clients, ChannelGroup connections, TlsListeners tls) {
    this.slot = slot;
    this.tls = tls;
    this.clients = clients;
    this.connections = connections;
  }

  @Override
  protected void initChannel(Channel ch) {
    clients.add(ch);
    connections.add(ch);
    // Limits and timeouts hold for the connection's life: a reload changes them for new connections.
    ListenerContext listener = slot.current();
    ListenerLimits limits = listener.limits();
    ClientTimeoutsHandler timeouts =
        new ClientTimeoutsHandler(limits.idleTimeout().toMillis(), limits.requestHeaderTimeout().toMillis());
    ChannelPipeline p = ch.pipeline();
    p.addLast("flush", Transports.consolidatedFlushes());
    p.addLast("timeouts", timeouts);
    if (listener.protocols().http2()) {
      p.addLast("detect", new ProtocolDetector(listener.protocols().http1(), at -> Http2Connections.install(at, slot)));
    }
    addHttp1Handlers(p, limits);
    p.addLast("flow", new OneMessagePerRead());
    p.addLast("receiver", new ClientRequestReceiver(slot, timeouts));
    tls.initChannel(listener.name(), ch);
  }

  private static void addHttp1Handlers(ChannelPipeline p, ListenerLimits limits) {
    p.addLast("decoder", new StrictRequestDecoder(limits));
    p.addLast("encoder", new PassThroughResponseEncoder());
  }
}
