/**
 * TLS both ways: termination on listeners (certificates chosen by SNI, ALPN, client certificates and
 * the {@code x-forwarded-client-cert} identity), origination to upstreams (trust, SNI, hostname
 * verification, client certificates), the PEM material both read, its rotation when the files change,
 * and the classification of handshake failures. The forwarding core only asks this package for a
 * handler to put first in a pipeline; everything TLS-specific stays here.
 */
package io.salve.proxy.tls;
