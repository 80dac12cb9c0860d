package io.salve.proxy.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.salve.config.Durations;
import io.salve.proxy.coord.LeaderBoard;
import io.salve.proxy.coord.LeaderView;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /leader}: the election's {@link LeaderView}. {@code ?wait=30s} answers as soon as the
 * view changes, or with the unchanged view when the wait ends (at most {@link #MAX_WAIT}); adding
 * {@code &since=<the since last seen>} answers at once if a change happened in between, so a client
 * that loops never misses one. The wait holds no thread: it is a future on the {@link LeaderBoard}.
 */
public final class LeaderRoutes implements AdminRoute {
  static final Duration MAX_WAIT = Duration.ofMinutes(5);

  private final LeaderBoard board;

  LeaderRoutes(LeaderBoard board) {
    this.board = board;
  }

  /** @return the {@code GET /leader} route of {@code board} */
  public static List<AdminRoute> of(LeaderBoard board) {
    return List.of(new LeaderRoutes(board));
  }

  @Override
  public boolean matches(HttpMethod method, String path) {
    return method.equals(HttpMethod.GET) && path.equals("/leader");
  }

  @Override
  public AdminResponse handle(FullHttpRequest request, String path) {
    return answer(board.current());
  }

  @Override
  public CompletionStage<AdminResponse> handleAsync(FullHttpRequest request, String path) {
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    List<String> waits = query.parameters().get("wait");
    List<String> sinces = query.parameters().get("since");
    if (waits == null) {
      if (sinces != null) {
        return done(AdminResponse.error(400, "bad_request", "since needs wait, e.g. /leader?wait=30s&since=..."));
      }
      return done(answer(board.current()));
    }
    Duration wait = waits.size() == 1 ? Durations.parse(waits.get(0)) : null;
    if (wait == null) {
      return done(AdminResponse.error(400, "bad_request",
          "wait must be one duration like 250ms, 30s or 5m, got " + waits));
    }
    if (wait.compareTo(MAX_WAIT) > 0) {
      return done(AdminResponse.error(400, "bad_request", "wait is at most 5m, got " + waits.get(0)));
    }
    Instant since = null;
    if (sinces != null) {
      try {
        since = sinces.size() == 1 ? Instant.parse(sinces.get(0)) : null;
      } catch (DateTimeParseException e) {
        since = null;
      }
      if (since == null) {
        return done(AdminResponse.error(400, "bad_request",
            "since must be the ISO-8601 `since` of an earlier answer, got " + sinces));
      }
    }
    return board.await(since, wait).thenApply(LeaderRoutes::answer);
  }

  private static CompletionStage<AdminResponse> done(AdminResponse r) {
    return CompletableFuture.completedFuture(r);
  }

  private static AdminResponse answer(LeaderView view) {
    return AdminResponse.text(200, "application/json", view.toJson() + "\n");
  }
}
