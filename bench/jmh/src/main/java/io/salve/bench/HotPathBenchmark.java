package io.salve.bench;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.salve.config.CircuitBreakerConfig;
import io.salve.config.FailureConditions;
import io.salve.config.HostPort;
import io.salve.config.LoadBalancerType;
import io.salve.proxy.forward.ForwardedHeaders;
import io.salve.proxy.forward.HopByHop;
import io.salve.proxy.resilience.CircuitBreaker;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.LoadBalancer;
import io.salve.proxy.util.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
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

/** Per-request decisions: load-balancer pick, breaker permit and outcome, header rewriting. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final LoadBalancer roundRobin = LoadBalancer.of(LoadBalancerType.ROUND_ROBIN);
  private final LoadBalancer leastRequest = LoadBalancer.of(LoadBalancerType.LEAST_REQUEST);
  private final SplittableRandom random = new SplittableRandom(42);
  private final CircuitBreaker breaker =
      CircuitBreaker.of(
          "u",
          new CircuitBreakerConfig(
              5, 2, Duration.ofSeconds(30), 1, null, new FailureConditions(true, true, true, true, Set.of())),
          Ticker.system());

  public HotPathBenchmark() {
    for (int i = 0; i < 8; i++) {
      endpoints.add(new Endpoint("u", new HostPort("10.0.0." + i, 8080), 1 + i % 2));
    }
  }

  @Benchmark
  public Endpoint pickRoundRobin8() {
    return roundRobin.pick(endpoints, null, random);
  }

  @Benchmark
  public Endpoint pickLeastRequest8() {
    return leastRequest.pick(endpoints, null, random);
  }

  @Benchmark
  public long breakerPermitAndSuccess() {
    long permit = breaker.tryAcquirePermit();
    breaker.onSuccess(permit);
    return permit;
  }

  @Benchmark
  public String rewriteRequestHeaders() {
    HttpHeaders h = new DefaultHttpHeaders(false);
    h.add("host", "orders.internal:8080")
        .add("user-agent", "curl/8.0")
        .add("accept", "application/json")
        .add("connection", "keep-alive, x-hop")
        .add("x-hop", "1")
        .add("keep-alive", "timeout=5")
        .add("x-forwarded-for", "10.1.2.3")
        .add("x-salve-attempts", "forged")
        .add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    HopByHop.strip(h);
    ForwardedHeaders.dropSalveHeaders(h);
    return ForwardedHeaders.apply(h, "127.0.0.1", false, "orders.internal:8080");
  }
}
