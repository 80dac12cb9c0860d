/**
 * The upstream side: upstreams and their endpoints ({@link io.salve.proxy.upstream.Upstreams},
 * {@link io.salve.proxy.upstream.Upstream}, {@link io.salve.proxy.upstream.Endpoint}), load
 * balancing, per-event-loop pools of streams ({@link io.salve.proxy.upstream.StreamPool}): HTTP/1.1
 * keep-alive connections ({@link io.salve.proxy.upstream.EndpointPool}, one pooled connection with its
 * strict response decoding: {@link io.salve.proxy.upstream.UpstreamConnection}, {@link
 * io.salve.proxy.upstream.StrictResponseDecoder}) or multiplexed h2c connections ({@link
 * io.salve.proxy.upstream.H2cPool}, {@link io.salve.proxy.upstream.H2cConnection}, {@link
 * io.salve.proxy.upstream.H2cStream}, the pool's decisions in {@link io.salve.proxy.upstream.H2cSlots}),
 * the endpoint state selection reads ({@link io.salve.proxy.upstream.EndpointHealth}, {@link
 * io.salve.proxy.upstream.PanicMode}: written by health/, read here) and the {@link
 * io.salve.proxy.upstream.EndpointSource} seam through which discovery (coord/, health/'s leases)
 * feeds endpoints in.
 *
 * <p>May import: Netty, config/, codec/, resilience/, tls/ (TLS origination: the handler, the
 * handshake's failure), transport/, util/. Never health/, coord/ or
 * server/: they depend on this package, not the other way round.
 */
package io.salve.proxy.upstream;
