/**
 * gRPC semantics on top of the protocol-neutral exchange, as plain decisions without Netty: which
 * requests are gRPC calls ({@link io.salve.proxy.grpc.GrpcCall}, by content-type, with the call's
 * {@code grpc-timeout}), the status codes salve answers with and how its own refusals map to them
 * ({@link io.salve.proxy.grpc.GrpcStatus}), and the {@code grpc-timeout} wire format ({@link
 * io.salve.proxy.grpc.GrpcTimeout}). forward/ carries these out (the gRPC-shaped local answers, the
 * deadline, the status read from headers and trailers); health/probe speaks the health protocol.
 */
package io.salve.proxy.grpc;
