package io.salve.bench;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.salve.config.Criticality;
import io.salve.config.HostPort;
import io.salve.config.ListenerConfig;
import io.salve.config.ListenerLimits;
import io.salve.config.RouteConfig;
import io.salve.config.RouteMatch;
import io.salve.proxy.route.PathNormalizer;
import io.salve.proxy.route.Route;
import io.salve.proxy.route.Router;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Route matching over 100 routes: a hit on the last route (worst case) and path normalisation. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBenchmark {
  private final Router router;
  private final HttpHeaders headers = new DefaultHttpHeaders().add("x-tenant", "gold").add("accept", "*/*");

  public RouterBenchmark() {
    List<RouteConfig> routes = new ArrayList<>();
    for (int i = 0; i < 99; i++) {
      routes.add(
          new RouteConfig(
              "r" + i,
              new RouteMatch("svc" + i, "/api/v1/resource" + i, Set.of("GET", "POST"), Map.of()),
              "u",
              Criticality.NORMAL,
              null,
              null,
              -1));
    }
    routes.add(
        new RouteConfig(
            "last",
            new RouteMatch("orders", "/api/v1/orders", Set.of(), Map.of("x-tenant", "gold")),
            "u",
            Criticality.NORMAL,
            null,
            null,
            -1));
    ListenerLimits limits =
        new ListenerLimits(8192, 32768, 100, -1, Duration.ofSeconds(10), Duration.ofSeconds(60));
    router = new Router(new ListenerConfig("l", new HostPort("127.0.0.1", 0), routes, limits, List.of()));
  }

  @Benchmark
  public Route matchLastOf100() {
    return router.route("GET", "orders", "/api/v1/orders/42", headers);
  }

  @Benchmark
  public String normalizePlainPath() throws Exception {
    return PathNormalizer.normalize("/api/v1/orders/42/items");
  }

  @Benchmark
  public String normalizeDotSegments() throws Exception {
    return PathNormalizer.normalize("/api/v1/./orders/%2e%2e/orders/42");
  }
}
