/**
 * Strict HTTP/1.1 message heads for both directions: one scan of a head ({@link
 * io.salve.proxy.codec.HeadScanner}) and the checks Netty's decoder leaves to us ({@link
 * io.salve.proxy.codec.StrictHeads}: framing conflicts, obsolete line folding, bad field names),
 * failing with {@link io.salve.proxy.codec.MalformedMessageException}.
 *
 * <p>May import: Netty (buffers and the HTTP codec). No other salve package: server/ (request side)
 * and upstream/ (response side) both build on it.
 */
package io.salve.proxy.codec;
