package io.salve.proxy.coord;

import static org.assertj.core.api.Assertions.assertThat;

import io.salve.proxy.util.FakeTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaderBoardTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private final FakeTicker ticker = new FakeTicker();
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<LeaderView[]> changes = new ArrayList<>();
  private final LeaderBoard board =
      new LeaderBoard("jobs", Clock.fixed(T0, ZoneOffset.UTC), ticker, timer, (a, b) -> changes.add(new LeaderView[] {a, b}));

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void startsWithNoLeaderAndSerialisesTheDocumentedShape() {
    assertThat(board.current().toJson())
        .isEqualTo("{\"election\":\"jobs\",\"leader\":null,\"self\":false,\"fencingToken\":null,\"since\":\"2026-01-01T00:00:00Z\"}");
    board.publish("a \"quoted\" id", true, 42L, ticker.nanos() + 60_000_000_000L);
    assertThat(board.current().toJson())
        .isEqualTo("{\"election\":\"jobs\",\"leader\":\"a \\\"quoted\\\" id\",\"self\":true,\"fencingToken\":42,"
            + "\"since\":\"2026-01-01T00:00:00.000001Z\"}");
  }

  @Test
  void publishingTheSameViewChangesNothing() {
    board.publish("a", 7L);
    Instant since = board.current().since();
    board.publish("a", 7L);
    assertThat(changes).hasSize(1);
    assertThat(board.current().since()).isEqualTo(since);
  }

  @Test
  void sinceStrictlyIncreasesEvenWithinOneClockTick() {
    board.publish("a", 7L);
    Instant first = board.current().since();
    board.publish("b", 9L);
    assertThat(board.current().since()).isAfter(first);
    assertThat(changes).hasSize(2);
    assertThat(changes.get(1)[0].leader()).isEqualTo("a");
    assertThat(changes.get(1)[1].leader()).isEqualTo("b");
  }

  @Test
  void aWaitIsAnsweredByTheNextChange() throws Exception {
    CompletableFuture<LeaderView> answer = board.await(null, Duration.ofMinutes(1));
    assertThat(answer).isNotDone();
    assertThat(board.waiting()).isEqualTo(1);
    board.publish("b", true, 9L, ticker.nanos() + 60_000_000_000L);
    assertThat(answer).isCompleted();
    assertThat(answer.get().leader()).isEqualTo("b");
    assertThat(answer.get().self()).isTrue();
    assertThat(board.waiting()).isZero();
  }

  @Test
  void aWaitWithAStaleSinceIsAnsweredAtOnce() throws Exception {
    Instant seen = board.current().since();
    board.publish("b", 9L); // the change the client has not seen
    CompletableFuture<LeaderView> answer = board.await(seen, Duration.ofMinutes(1));
    assertThat(answer).isCompleted();
    assertThat(answer.get().leader()).isEqualTo("b");
    CompletableFuture<LeaderView> upToDate = board.await(board.current().since(), Duration.ofMinutes(1));
    assertThat(upToDate).isNotDone();
  }

  @Test
  void aWaitEndsWithTheUnchangedViewWhenItsTimeIsUp() throws Exception {
    board.publish("a", 7L);
    CompletableFuture<LeaderView> answer = board.await(null, Duration.ofMillis(50));
    assertThat(answer.get(5, TimeUnit.SECONDS).leader()).isEqualTo("a");
    assertThat(board.waiting()).isZero();
  }

  @Test
  void aZeroWaitAnswersAtOnce() {
    assertThat(board.await(null, Duration.ZERO)).isCompleted();
  }

  @Test
  void aPublishedSelfIsNotServedPastItsDeadlineEvenBeforeTheStepDownIsPublished() {
    board.publish("me", true, 5L, ticker.nanos() + 1_000_000_000L);
    ticker.advance(Duration.ofMillis(999));
    assertThat(board.current().self()).isTrue();
    assertThat(board.current().leader()).isEqualTo("me");
    ticker.advance(Duration.ofMillis(1));
    LeaderView late = board.current();
    assertThat(late.self()).isFalse();
    assertThat(late.leader()).isNull();
    assertThat(late.fencingToken()).isNull();
    // a renewal (published again, same view) extends the deadline without counting as a change
    board.publish("me", true, 5L, ticker.nanos() + 1_000_000_000L);
    assertThat(board.current().self()).isTrue();
    assertThat(changes).hasSize(1);
  }

  @Test
  void releaseAllAnswersEveryWaiter() {
    CompletableFuture<LeaderView> a = board.await(null, Duration.ofMinutes(1));
    CompletableFuture<LeaderView> b = board.await(null, Duration.ofMinutes(1));
    board.releaseAll();
    assertThat(a).isCompleted();
    assertThat(b).isCompleted();
  }
}
