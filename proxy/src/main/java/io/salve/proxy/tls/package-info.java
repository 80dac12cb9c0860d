/**
 * TLS both ways, an I/O package beside transport/: termination on listeners (certificates chosen by
 * SNI, ALPN, client certificates, {@link io.salve.proxy.tls.ClientIdentity} and the {@code
 * x-forwarded-client-cert} step, {@link io.salve.proxy.tls.ClientCertHeader}), origination to upstreams
 * ({@link io.salve.proxy.tls.ClientTls}: trust, SNI, hostname verification, client certificates, and
 * {@link io.salve.proxy.tls.UpstreamTlsException} for a failed handshake), the PEM material both read,
 * its rotation when the files change ({@link io.salve.proxy.tls.TlsRotation}, on its own thread), and the
 * classification of handshake failures. server/ and upstream/ only ask this package for the handlers to
 * put first in a pipeline, and forward/ reads the connection's identity; everything TLS-specific stays
 * here. What happens is reported through {@link io.salve.proxy.tls.TlsEvents}; the meters implementing
 * it live in metrics/ (no meter names here).
 *
 * <p>May import: Netty, config/, reload/ (its directory watcher, for rotation), util/. Never forward/,
 * server/, upstream/ or route/: they import this package. No Micrometer (enforced).
 */
package io.salve.proxy.tls;
