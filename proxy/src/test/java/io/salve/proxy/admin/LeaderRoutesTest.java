package io.salve.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.salve.proxy.coord.LeaderBoard;
import java.nio.charset.StandardCharsets;
import io.salve.proxy.util.FakeTicker;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class LeaderRoutesTest {
  private final FakeTicker ticker = new FakeTicker();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final LeaderBoard board = new LeaderBoard("jobs", Clock.systemUTC(), ticker, timer, (a, b) -> {});
  private final LeaderRoutes route = new LeaderRoutes(board);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  private CompletableFuture<AdminResponse> get(String uri) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    try {
      return route.handleAsync(req, "/leader").toCompletableFuture();
    } finally {
      req.release();
    }
  }

  private static String body(AdminResponse r) {
    return new String(r.body(), StandardCharsets.UTF_8);
  }

  @Test
  void servesOnlyGetLeader() {
    assertThat(route.matches(HttpMethod.GET, "/leader")).isTrue();
    assertThat(route.matches(HttpMethod.POST, "/leader")).isFalse();
    assertThat(route.matches(HttpMethod.GET, "/leaders")).isFalse();
  }

  @Test
  void withoutWaitAnswersAtOnce() {
    board.publish("a", true, 3L, ticker.nanos() + 60_000_000_000L);
    CompletableFuture<AdminResponse> r = get("/leader");
    assertThat(r).isCompleted();
    assertThat(r.join().status()).isEqualTo(200);
    assertThat(body(r.join())).contains("\"leader\":\"a\"", "\"self\":true", "\"fencingToken\":3");
  }

  @Test
  void withWaitAnswersOnTheChange() {
    CompletableFuture<AdminResponse> r = get("/leader?wait=30s");
    assertThat(r).isNotDone();
    board.publish("b", 4L);
    assertThat(r).isCompleted();
    assertThat(body(r.join())).contains("\"leader\":\"b\"", "\"fencingToken\":4");
  }

  @Test
  void withAStaleSinceAnswersAtOnce() {
    String seen = board.current().since().toString();
    board.publish("b", 4L);
    assertThat(get("/leader?wait=30s&since=" + seen)).isCompleted();
    assertThat(get("/leader?wait=30s&since=" + board.current().since())).isNotDone();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "/leader?wait=30", "/leader?wait=soon", "/leader?wait=-1s", "/leader?wait=6m", "/leader?wait=1h",
      "/leader?wait=1s&wait=2s", "/leader?wait=30s&since=yesterday", "/leader?since=2026-01-01T00:00:00Z"})
  void refusesBadParametersWith400(String uri) {
    CompletableFuture<AdminResponse> r = get(uri);
    assertThat(r).isCompleted();
    assertThat(r.join().status()).isEqualTo(400);
    assertThat(body(r.join())).contains("\"error\"");
  }

  @Test
  void acceptsTheLongestWait() {
    assertThat(get("/leader?wait=5m")).isNotDone();
  }
}
