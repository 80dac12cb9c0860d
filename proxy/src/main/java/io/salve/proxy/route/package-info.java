/**
 * Routing: normalising the request path ({@link io.salve.proxy.route.PathNormalizer}) and choosing
 * the first configured route that matches method, host, path prefix and headers ({@link
 * io.salve.proxy.route.Router}, {@link io.salve.proxy.route.Route}). Plain decisions, immutable after
 * construction and shared by every event loop. Headers are asked through {@link
 * io.salve.proxy.route.RequestHeaders}, so routing serves any protocol, and a client certificate's
 * names through {@link io.salve.proxy.route.ClientNames}, so routing knows nothing of TLS.
 *
 * <p>May import: config/, resilience/ (a route's compiled retry policy), util/. No Netty (enforced).
 */
package io.salve.proxy.route;
