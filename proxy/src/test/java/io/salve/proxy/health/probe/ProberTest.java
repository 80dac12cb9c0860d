package io.salve.proxy.health.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.ResourceLeakDetector;
import io.salve.config.HealthCheckConfig.StatusRange;
import io.salve.config.HostPort;
import io.salve.proxy.health.ProbeResult;
import io.salve.proxy.upstream.Endpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTP and TCP probers against real loopback sockets served by a plain blocking test server. */
class ProberTest {

  private static EventLoopGroup group;
  private static ResourceLeakDetector.Level previousLevel;
  private final List<ServerSocket> servers = new ArrayList<>();
  private final List<String> requestHeads = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startLoops() {
    previousLevel = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopLoops() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    ResourceLeakDetector.setLevel(previousLevel);
  }

  @AfterEach
  void closeServers() throws Exception {
    for (ServerSocket s : servers) {
      s.close();
    }
  }

  /** Serves each connection on its own daemon thread: reads the head, then {@code answer}s. */
  private int serve(Consumer<Socket> answer) throws Exception {
    ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    servers.add(server);
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                  StringBuilder head = new StringBuilder();
                  for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    head.append(line).append('\n');
                  }
                  requestHeads.add(head.toString());
                  answer.accept(s);
                } catch (Exception e) {
                  return;
                }
              }
            },
            "prober-test-server");
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private static Consumer<Socket> respond(String response) {
    return s -> {
      try (s) {
        OutputStream out = s.getOutputStream();
        out.write(response.getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (Exception ignored) {
        // the prober may close first
      }
    };
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static HttpProber http(Duration timeout) {
    return new HttpProber(
        NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE, timeout, "/healthz", new StatusRange(200, 399));
  }

  private static TcpProber tcp() {
    return new TcpProber(NioSocketChannel.class, DefaultAddressResolverGroup.INSTANCE, Duration.ofSeconds(2));
  }

  private static ProbeResult run(Prober prober, int port) throws Exception {
    Endpoint endpoint = new Endpoint("app", new HostPort("127.0.0.1", port), 1);
    EventLoop loop = group.next();
    CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    List<ProbeResult> all = new CopyOnWriteArrayList<>();
    loop.execute(
        () ->
            prober.probe(
                endpoint,
                loop,
                r -> {
                  assertThat(loop.inEventLoop()).isTrue();
                  all.add(r);
                  result.complete(r);
                }));
    ProbeResult r = result.get(10, TimeUnit.SECONDS);
    // Give a duplicate report a chance to show up: the timeout task of a fast probe is cancelled.
    CompletableFuture<Void> drained = new CompletableFuture<>();
    loop.execute(() -> drained.complete(null));
    drained.get(5, TimeUnit.SECONDS);
    assertThat(all).as("reported exactly once").hasSize(1);
    return r;
  }

  @Test
  void httpPassesOnAnExpectedStatusAndSendsTheProbeHeaders() throws Exception {
    int port = serve(respond("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

    ProbeResult r = run(http(Duration.ofSeconds(2)), port);

    assertThat(r).isEqualTo(ProbeResult.pass("status 200"));
    String head = requestHeads.get(0).toLowerCase();
    assertThat(head).startsWith("get /healthz http/1.1\n");
    assertThat(head)
        .contains("host: 127.0.0.1:" + port + "\n")
        .contains("user-agent: salve-health\n")
        .contains("connection: close\n");
  }

  @Test
  void httpFailsOnAnUnexpectedStatus() throws Exception {
    int port = serve(respond("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"));

    ProbeResult r = run(http(Duration.ofSeconds(2)), port);

    assertThat(r.passed()).isFalse();
    assertThat(r.detail()).startsWith("status 503");
  }

  @Test
  void httpJudgesTheHeadAndReleasesALargeBody() throws Exception {
    String body = "x".repeat(200_000);
    int port = serve(respond("HTTP/1.1 204 No Content\r\n\r\n"));
    int large = serve(respond("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body));

    assertThat(run(http(Duration.ofSeconds(2)), port)).isEqualTo(ProbeResult.pass("status 204"));
    assertThat(run(http(Duration.ofSeconds(2)), large)).isEqualTo(ProbeResult.pass("status 200"));
  }

  @Test
  void httpTimesOutWhenNoResponseComes() throws Exception {
    List<Socket> held = new CopyOnWriteArrayList<>();
    int port = serve(held::add); // accept, read the request, never answer

    long start = System.nanoTime();
    ProbeResult r = run(http(Duration.ofMillis(300)), port);

    assertThat(r).isEqualTo(ProbeResult.fail("timeout after 300ms"));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    for (Socket s : held) {
      s.close();
    }
  }

  @Test
  void httpFailsWhenTheConnectionClosesWithoutAResponse() throws Exception {
    int port = serve(respond(""));

    ProbeResult r = run(http(Duration.ofSeconds(2)), port);

    assertThat(r).isEqualTo(ProbeResult.fail("connection closed before a response"));
  }

  @Test
  void httpFailsOnAMalformedResponse() throws Exception {
    int port = serve(respond("SSH-2.0-OpenSSH\r\n\r\n"));

    ProbeResult r = run(http(Duration.ofSeconds(2)), port);

    assertThat(r.passed()).isFalse();
  }

  @Test
  void httpAndTcpFailWhenNothingListens() throws Exception {
    int port = closedPort();

    ProbeResult h = run(http(Duration.ofSeconds(2)), port);
    ProbeResult t = run(tcp(), port);

    assertThat(h.passed()).isFalse();
    assertThat(h.detail()).startsWith("connect failed");
    assertThat(t.passed()).isFalse();
    assertThat(t.detail()).startsWith("connect failed");
  }

  @Test
  void tcpPassesWhenTheConnectionIsAccepted() throws Exception {
    int port = serve(respond(""));

    assertThat(run(tcp(), port)).isEqualTo(ProbeResult.pass("connected"));
  }
}
