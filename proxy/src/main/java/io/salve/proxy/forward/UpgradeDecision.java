package io.salve.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Decides what becomes of an HTTP/1.1 request carrying {@code Upgrade} (RFC 9110 §7.8): either it
 * is forwarded as an upgrade (its {@code Upgrade} and {@code Connection: upgrade} kept, the
 * connection tunnelled after a 101), or it is served as plain HTTP/1.1 with {@code Upgrade}
 * stripped like any hop-by-hop field, which RFC 9110 allows a recipient to do. Plain object, no
 * Netty channel: the exchange carries the verdict out.
 *
 * <p>Only a {@code GET} without a body, whose {@code Connection} nominates {@code upgrade} and whose
 * {@code Upgrade} offers a token the route lists, is upgraded. The route's list defaults to {@code
 * [websocket]}. Anything else that offers an upgrade is {@link Verdict#REFUSED}: served as plain
 * HTTP/1.1, and counted so an operator sees it.
 */
public record UpgradeDecision(Verdict verdict, String token) {
  /** The tokens a route forwards when it lists none. */
  public static final Set<String> DEFAULT_TOKENS = Set.of("websocket");

  private static final UpgradeDecision NONE = new UpgradeDecision(Verdict.NONE, "");

  /** What the exchange does with the request. */
  public enum Verdict {
    /** No upgrade was asked for: an ordinary request. */
    NONE,
    /** Forward Upgrade and Connection: upgrade; tunnel after a 101. */
    UPGRADE,
    /** An upgrade was offered that this route does not forward: serve as plain HTTP/1.1. */
    REFUSED
  }

  /**
   * @param method the request method
   * @param headers the request's fields, before hop-by-hop stripping
   * @param hasBody whether the request carries a body (Content-Length above 0 or chunked)
   * @param allowed the route's upgrade tokens, lower case
   */
  public static UpgradeDecision decide(
      HttpMethod method, HttpHeaders headers, boolean hasBody, Set<String> allowed) {
    List<String> upgrades = headers.getAll(HttpHeaderNames.UPGRADE);
    if (upgrades.isEmpty()) {
      return NONE;
    }
    String offered = null;
    String first = null;
    for (String line : upgrades) {
      for (String raw : line.split(",")) {
        String token = protocolName(raw);
        if (token.isEmpty()) {
          continue;
        }
        if (first == null) {
          first = token;
        }
        if (offered == null && allowed.contains(token)) {
          offered = token;
        }
      }
    }
    if (first == null) {
      return NONE;
    }
    if (offered == null
        || !HttpMethod.GET.equals(method)
        || hasBody
        || !nominatesUpgrade(headers)) {
      return new UpgradeDecision(Verdict.REFUSED, offered == null ? first : offered);
    }
    return new UpgradeDecision(Verdict.UPGRADE, offered);
  }

  /** @return whether the request is to be forwarded as an upgrade. */
  public boolean upgrades() {
    return verdict == Verdict.UPGRADE;
  }

  private static String protocolName(String raw) {
    String token = raw.trim();
    int slash = token.indexOf('/');
    if (slash >= 0) {
      token = token.substring(0, slash).trim();
    }
    return token.toLowerCase(Locale.ROOT);
  }

  private static boolean nominatesUpgrade(HttpHeaders headers) {
    for (String line : headers.getAll(HttpHeaderNames.CONNECTION)) {
      for (String token : line.split(",")) {
        if (token.trim().equalsIgnoreCase("upgrade")) {
          return true;
        }
      }
    }
    return false;
  }
}
