package io.salve.proxy.upstream;

/** Lets tests of other packages make upstream-side values whose constructors are package-private. */
public final class UpstreamTestAccess {
  private UpstreamTestAccess() {}

  /** @return the failure a pool reports when no connection became free in time. */
  public static Throwable poolExhausted() {
    return new PoolExhaustedException();
  }
}
