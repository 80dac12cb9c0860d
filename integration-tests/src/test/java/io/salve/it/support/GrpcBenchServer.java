package io.salve.it.support;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import java.net.InetSocketAddress;

/**
 * The gRPC server of {@code bench/grpc.sh}: grpc-java on 127.0.0.1:PORT, answering
 * {@code grpc.testing.SimpleService/UnaryRpc} with the request's message. Run with the integration
 * tests' test classpath; stops on SIGTERM.
 */
public final class GrpcBenchServer {
  private GrpcBenchServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
        .addService(new SimpleServiceGrpc.SimpleServiceImplBase() {
          @Override
          public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
            out.onNext(SimpleResponse.newBuilder().setResponseMessage(request.getRequestMessage()).build());
            out.onCompleted();
          }
        })
        .build()
        .start();
    System.out.println("grpc bench server on 127.0.0.1:" + server.getPort());
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }
}
