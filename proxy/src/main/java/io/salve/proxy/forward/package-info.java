/**
 * The forwarding path of one client request, protocol-neutral past the receiver.
 *
 * <p>Receive and check it ({@link io.salve.proxy.forward.ClientRequestReceiver}, {@link
 * io.salve.proxy.forward.RequestChecks}, {@link io.salve.proxy.forward.RequestTarget}), route it, admit
 * it ({@link io.salve.proxy.forward.AdmissionControl}, implemented by shed/), rewrite its head for the
 * upstream ({@link io.salve.proxy.forward.UpstreamHead}), then one exchange along
 * the request's path: the attempt loop ({@link io.salve.proxy.forward.ProxyExchange}, its {@link
 * io.salve.proxy.forward.ExchangeState} and {@link io.salve.proxy.forward.ExchangeTimers}), the
 * upstream request writer ({@link io.salve.proxy.forward.UpstreamRequestWriter}, {@link
 * io.salve.proxy.forward.ReplayBuffer}), the response reader and client response writer ({@link
 * io.salve.proxy.forward.UpstreamResponseReader}, {@link io.salve.proxy.forward.ClientResponseWriter},
 * {@link io.salve.proxy.forward.ErrorResponses} for salve's own answers) and the one owner of what the
 * exchange holds ({@link io.salve.proxy.forward.ExchangeResources}). The exchange reaches the client
 * through {@link io.salve.proxy.forward.ClientSide} (HTTP/1.1: {@link
 * io.salve.proxy.forward.Http1ClientSide}; an HTTP/2 stream: {@link
 * io.salve.proxy.forward.Http2StreamClientSide}, behind {@link io.salve.proxy.forward.Http2StreamAdapter})
 * and an upstream through {@link
 * io.salve.proxy.forward.UpstreamSide}, so an HTTP/2 stream plugs in without touching the loop. Client
 * timeouts ({@link io.salve.proxy.forward.ClientTimeoutsHandler}) and the finished exchange's report
 * to {@link io.salve.proxy.forward.ExchangeObserver}s (access log, metrics) live here too. Every
 * exchange lives on its client connection's event loop; time and randomness come from the {@link
 * io.salve.proxy.forward.ListenerContext} (a ticker, a clock and a random source).
 *
 * <p>May import: Netty, config/, codec/, route/, resilience/, tls/ (the client identity, the
 * {@code x-forwarded-client-cert} step, the upstream TLS failure), transport/, upstream/, util/. Never
 * server/ (which builds the pipeline around it), never metrics/ (observers attach from outside).
 */
package io.salve.proxy.forward;
