/**
 * Strict HTTP/1.1 message heads for both directions: one scan of a head ({@link
 * io.salve.proxy.codec.HeadScanner}) and the checks Netty's decoder leaves to us ({@link
 * io.salve.proxy.codec.StrictHeads}: framing conflicts, obsolete line folding, bad field names),
 * failing with {@link io.salve.proxy.codec.MalformedMessageException}.
 *
 * <p>Pass-through heads: a plain message (a head that arrived whole, a body framed by at most one
 * Content-Length) is split once into a {@link io.salve.proxy.codec.ReceivedHead} and decoded by {@link
 * io.salve.proxy.codec.PassThroughFraming} instead of Netty's decoder; its fields stay the received
 * bytes ({@link io.salve.proxy.codec.IndexedHeaders}), which the encoders here write out as they came,
 * with salve's edits spliced in.
 *
 * <p>May import: Netty (buffers and the HTTP codec). No other salve package: server/ (request side)
 * and upstream/ (response side) both build on it.
 */
package io.salve.proxy.codec;
