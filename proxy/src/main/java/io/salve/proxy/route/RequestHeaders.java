package io.salve.proxy.route;

/**
 * The request headers as routing sees them: one question, asked only by routes with header
 * matchers. The caller adapts its protocol's header type (Netty's {@code HttpHeaders} for HTTP/1.1
 * today), so route/ stays free of Netty and serves any protocol.
 */
@FunctionalInterface
public interface RequestHeaders {
  /**
   * @return whether the request carries header {@code name} (case-insensitive) with a value equal
   *     to {@code value} (case-sensitive)
   */
  boolean contains(String name, String value);
}
