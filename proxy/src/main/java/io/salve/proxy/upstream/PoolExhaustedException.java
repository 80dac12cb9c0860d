package io.salve.proxy.upstream;

/** No pooled connection became free in time. Stackless: it is an overload signal, not a bug. */
public final class PoolExhaustedException extends Exception {
  PoolExhaustedException() {
    super("connection pool exhausted", null, false, false);
  }
}
