package io.salve.it;

import static io.salve.it.support.Http.endpointState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.protobuf.SimpleRequest;
import io.grpc.testing.protobuf.SimpleResponse;
import io.grpc.testing.protobuf.SimpleServiceGrpc;
import io.salve.it.support.SalveProcess;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * gRPC end to end: grpc-java's client (plaintext h2c) → salve (h2c listener, h2c upstream) →
 * grpc-java's server. Every kind of call, trailing metadata, retries on UNAVAILABLE, the breaker on
 * gRPC failures, deadlines and salve's own gRPC answers.
 */
class GrpcProxyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Metadata.Key<String> TRAILER = Metadata.Key.of("x-trailer", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> SALVE_ERROR = Metadata.Key.of("x-salve-error", Metadata.ASCII_STRING_MARSHALLER);

  private final AtomicInteger unaryCalls = new AtomicInteger();
  private final AtomicInteger unavailableLeft = new AtomicInteger();
  private final List<Long> deadlinesSeenMillis = new CopyOnWriteArrayList<>();
  private Server server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  /** The test service: echoes, fails on request, or stalls, as the request message says. */
  private final class Service extends SimpleServiceGrpc.SimpleServiceImplBase {
    @Override
    public void unaryRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      unaryCalls.incrementAndGet();
      Deadline deadline = Context.current().getDeadline();
      if (deadline != null) {
        deadlinesSeenMillis.add(deadline.timeRemaining(TimeUnit.MILLISECONDS));
      }
      String m = request.getRequestMessage();
      if (m.equals("unavailable-once") && unavailableLeft.getAndDecrement() > 0) {
        out.onError(Status.UNAVAILABLE.withDescription("warming up").asRuntimeException());
      } else if (m.equals("internal")) {
        out.onError(Status.INTERNAL.withDescription("broken").asRuntimeException());
      } else if (m.equals("not-found")) {
        out.onError(Status.NOT_FOUND.withDescription("no such thing").asRuntimeException());
      } else if (m.equals("stall")) {
        // never answers: the deadline ends the call
      } else {
        out.onNext(response("echo " + m));
        out.onCompleted();
      }
    }

    @Override
    public void serverStreamingRpc(SimpleRequest request, StreamObserver<SimpleResponse> out) {
      for (int i = 0; i < 3; i++) {
        out.onNext(response(request.getRequestMessage() + " " + i));
      }
      out.onCompleted();
    }

    @Override
    public StreamObserver<SimpleRequest> clientStreamingRpc(StreamObserver<SimpleResponse> out) {
      StringBuilder all = new StringBuilder();
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest r) {
          all.append(r.getRequestMessage());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onNext(response(all.toString()));
          out.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<SimpleRequest> bidiStreamingRpc(StreamObserver<SimpleResponse> out) {
      return new StreamObserver<>() {
        @Override
        public void onNext(SimpleRequest r) {
          out.onNext(response("bidi " + r.getRequestMessage()));
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  /** Adds {@code x-trailer: t1} to every call's trailers: custom trailing metadata. */
  private static final ServerInterceptor TRAILERS = new ServerInterceptor() {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
        @Override
        public void close(Status status, Metadata trailers) {
          trailers.put(TRAILER, "t1");
          super.close(status, trailers);
        }
      }, headers);
    }
  };

  private static SimpleResponse response(String text) {
    return SimpleResponse.newBuilder().setResponseMessage(text).build();
  }

  private static SimpleRequest request(String text) {
    return SimpleRequest.newBuilder().setRequestMessage(text).build();
  }

  @BeforeEach
  void startServer() throws Exception {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(new Service(), TRAILERS))
        .build()
        .start();
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private ManagedChannel channel(SalveProcess salve) {
    ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", salve.port("edge")).usePlaintext().build();
    channels.add(c);
    return c;
  }

  private String yaml(String endpoints, String upstreamExtra, String routeExtra) {
    return """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: edge
            address: 127.0.0.1:0
            routes:
              - match: { pathPrefix: /grpc.testing.SimpleService/ }
                upstream: grpc
                timeout: 5s
        %s
        upstreams:
          grpc:
            endpoints: [%s]
            protocol: h2c
        %s
        """.formatted(routeExtra.indent(8).stripTrailing(), endpoints, upstreamExtra.indent(4).stripTrailing());
  }

  private String serverEndpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Captures the trailers of each call made through it. */
  private static final class TrailerCapture implements ClientInterceptor {
    final AtomicReference<Metadata> trailers = new AtomicReference<>();

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onClose(Status status, Metadata t) {
              trailers.set(t);
              super.onClose(status, t);
            }
          }, headers);
        }
      };
    }
  }

  @Test
  void everyKindOfCall_andCustomTrailersReachTheClient() throws Exception {
    try (SalveProcess salve = SalveProcess.start(yaml(serverEndpoint(), "", ""))) {
      TrailerCapture capture = new TrailerCapture();
      ManagedChannel channel = channel(salve);
      SimpleServiceGrpc.SimpleServiceBlockingStub blocking =
          SimpleServiceGrpc.newBlockingStub(channel).withInterceptors(capture);

      assertThat(blocking.unaryRpc(request("hi")).getResponseMessage()).isEqualTo("echo hi");
      assertThat(capture.trailers.get().get(TRAILER)).isEqualTo("t1");

      Iterator<SimpleResponse> stream = blocking.serverStreamingRpc(request("s"));
      List<String> got = new ArrayList<>();
      stream.forEachRemaining(r -> got.add(r.getResponseMessage()));
      assertThat(got).containsExactly("s 0", "s 1", "s 2");

      SimpleServiceGrpc.SimpleServiceStub async = SimpleServiceGrpc.newStub(channel);
      Collector up = new Collector();
      StreamObserver<SimpleRequest> requests = async.clientStreamingRpc(up);
      for (String part : List.of("a", "b", "c")) {
        requests.onNext(request(part));
      }
      requests.onCompleted();
      assertThat(up.await()).containsExactly("abc");

      Collector bidi = new Collector();
      StreamObserver<SimpleRequest> both = async.bidiStreamingRpc(bidi);
      both.onNext(request("1"));
      both.onNext(request("2"));
      both.onCompleted();
      assertThat(bidi.await()).containsExactly("bidi 1", "bidi 2");

      StatusRuntimeException notFound =
          catchThrowableOfType(StatusRuntimeException.class, () -> blocking.unaryRpc(request("not-found")));
      assertThat(notFound.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
      assertThat(notFound.getStatus().getDescription()).isEqualTo("no such thing");
      assertThat(capture.trailers.get().get(SALVE_ERROR)).as("the server's answer, not salve's").isNull();
      await().atMost(Duration.ofSeconds(3)).untilAsserted(() ->
          assertThat(logLines(salve)).anySatisfy(l -> assertThat(l.path("grpcStatus").asInt(-1)).isEqualTo(5)));
      salve.assertNoLeaks();
    }
  }

  @Test
  void unavailable_isRetried() throws Exception {
    String route = "retry: { maxAttempts: 3, retryOn: [unavailable], retryNonIdempotent: true, backoff: { initial: 10ms, max: 10ms, jitter: none } }";
    try (SalveProcess salve = SalveProcess.start(yaml(serverEndpoint(), "", route))) {
      unavailableLeft.set(1);
      SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel(salve));
      assertThat(stub.unaryRpc(request("unavailable-once")).getResponseMessage()).isEqualTo("echo unavailable-once");
      assertThat(unaryCalls.get()).isEqualTo(2);
      salve.assertNoLeaks();
    }
  }

  @Test
  void grpcFailures_openTheBreaker_thenSalveAnswersUnavailable() throws Exception {
    String upstream = "circuitBreaker: { failureThreshold: 2, openDuration: 30s }";
    try (SalveProcess salve = SalveProcess.start(yaml(serverEndpoint(), upstream, ""))) {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel(salve));
      for (int i = 0; i < 2; i++) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.unaryRpc(request("internal")));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
      }
      int served = unaryCalls.get();
      TrailerCapture capture = new TrailerCapture();
      StatusRuntimeException open = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub.withInterceptors(capture).unaryRpc(request("hi")));
      assertThat(open.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(open.getStatus().getDescription()).isEqualTo("upstream circuit is open");
      assertThat(capture.trailers.get().get(SALVE_ERROR)).isEqualTo("circuit_open");
      assertThat(unaryCalls.get()).as("the server never saw it").isEqualTo(served);
      salve.assertNoLeaks();
    }
  }

  @Test
  void clientDeadlineShorterThanTheRoute_isDeadlineExceeded_andTheServerSawLess() throws Exception {
    try (SalveProcess salve = SalveProcess.start(yaml(serverEndpoint(), "", ""))) {
      SimpleServiceGrpc.SimpleServiceBlockingStub stub = SimpleServiceGrpc.newBlockingStub(channel(salve));
      long start = System.nanoTime();
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub.withDeadlineAfter(800, TimeUnit.MILLISECONDS).unaryRpc(request("stall")));
      long tookMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(tookMillis).isBetween(700L, 4000L);
      assertThat(deadlinesSeenMillis).hasSize(1);
      assertThat(deadlinesSeenMillis.get(0)).as("the route's 5s cut to the client's 800ms, less time spent").isBetween(1L, 800L);

      StatusRuntimeException routeWins = catchThrowableOfType(StatusRuntimeException.class,
          () -> stub.withDeadlineAfter(60, TimeUnit.SECONDS).unaryRpc(request("stall")));
      assertThat(routeWins.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(deadlinesSeenMillis.get(1)).as("the route's timeout is shorter").isBetween(1000L, 5000L);
      salve.assertNoLeaks();
    }
  }

  @Test
  void noEndpoint_isUnavailableWithAMessage() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    String upstream = "healthCheck: { type: tcp, interval: 100ms, timeout: 200ms, unhealthyThreshold: 1, panicThreshold: 0.0 }";
    try (SalveProcess salve = SalveProcess.start(yaml("127.0.0.1:" + closed, upstream, ""))) {
      String endpoint = "127.0.0.1:" + closed;
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        JsonNode e = endpointState(salve.adminPort(), "grpc", endpoint);
        return e != null && !e.path("healthy").asBoolean(true);
      });
      TrailerCapture capture = new TrailerCapture();
      StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
          () -> SimpleServiceGrpc.newBlockingStub(channel(salve)).withInterceptors(capture).unaryRpc(request("hi")));
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(e.getStatus().getDescription()).startsWith("upstream has no endpoint");
      assertThat(capture.trailers.get().get(SALVE_ERROR)).isEqualTo("no_healthy_endpoint");
      salve.assertNoLeaks();
    }
  }

  private static List<JsonNode> logLines(SalveProcess salve) throws Exception {
    String out = salve.stdout();
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.substring(0, out.lastIndexOf('\n') + 1).lines().toList()) {
      if (line.startsWith("{")) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  /** Collects a response stream's messages. */
  private static final class Collector implements StreamObserver<SimpleResponse> {
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Throwable error;

    @Override
    public void onNext(SimpleResponse r) {
      messages.add(r.getResponseMessage());
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }

    List<String> await() throws InterruptedException {
      assertThat(done.await(10, TimeUnit.SECONDS)).as("stream completed").isTrue();
      assertThat(error).isNull();
      return messages;
    }
  }
}
