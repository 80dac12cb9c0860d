package io.salve.proxy.grpc;

import io.salve.config.GrpcCodes;
import java.nio.charset.StandardCharsets;

/**
 * gRPC status codes as salve reads and writes them: the {@code grpc-status} value, the {@code
 * grpc-message} encoding, and the status of each of salve's own answers.
 *
 * <table>
 * <caption>salve's own answers to a gRPC call</caption>
 * <tr><th>x-salve-error</th><th>grpc-status</th></tr>
 * <tr><td>upstream_connect_failure, upstream_tls_error, upstream_reset, upstream_refused (HTTP/2), circuit_open,
 *     no_healthy_endpoint, shed, overloaded (connection pool exhausted)</td><td>UNAVAILABLE (14)</td></tr>
 * <tr><td>upstream_timeout</td><td>DEADLINE_EXCEEDED (4)</td></tr>
 * <tr><td>overloaded from the upstream's bulkhead, payload_too_large</td><td>RESOURCE_EXHAUSTED (8)</td></tr>
 * <tr><td>no_route, not_implemented, method_not_allowed</td><td>UNIMPLEMENTED (12)</td></tr>
 * <tr><td>bad_request, headers_too_large, uri_too_long, upstream_protocol_error</td><td>INTERNAL (13)</td></tr>
 * <tr><td>anything else</td><td>by HTTP status, as gRPC maps HTTP: 401 UNAUTHENTICATED, 403
 *     PERMISSION_DENIED, 404 UNIMPLEMENTED, 429/502/503/504 UNAVAILABLE, else UNKNOWN</td></tr>
 * </table>
 */
public final class GrpcStatus {
  public static final int OK = 0;
  public static final int CANCELLED = 1;
  public static final int UNKNOWN = 2;
  public static final int DEADLINE_EXCEEDED = 4;
  public static final int PERMISSION_DENIED = 7;
  public static final int RESOURCE_EXHAUSTED = 8;
  public static final int UNIMPLEMENTED = 12;
  public static final int INTERNAL = 13;
  public static final int UNAVAILABLE = 14;
  public static final int UNAUTHENTICATED = 16;
  /** No status was seen (not a gRPC call, or not yet). */
  public static final int NONE = -1;

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private GrpcStatus() {}

  /**
   * @param httpStatus the HTTP status salve would answer a plain HTTP request with
   * @param reason its {@code x-salve-error} reason
   * @return the grpc-status of that answer to a gRPC call
   */
  public static int forAnswer(int httpStatus, String reason) {
    switch (reason) {
      case "upstream_connect_failure", "upstream_tls_error", "upstream_reset", "upstream_refused", "circuit_open",
          "no_healthy_endpoint", "shed", "overloaded":
        return UNAVAILABLE;
      case "upstream_timeout":
        return DEADLINE_EXCEEDED;
      case "payload_too_large":
        return RESOURCE_EXHAUSTED;
      case "no_route", "not_implemented", "method_not_allowed":
        return UNIMPLEMENTED;
      case "bad_request", "headers_too_large", "uri_too_long", "upstream_protocol_error":
        return INTERNAL;
      default:
        return forHttpStatus(httpStatus);
    }
  }

  /** @return the status gRPC clients infer from an HTTP status without grpc-status (gRPC's HTTP mapping). */
  public static int forHttpStatus(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> INTERNAL;
      case 401 -> UNAUTHENTICATED;
      case 403 -> PERMISSION_DENIED;
      case 404 -> UNIMPLEMENTED;
      case 429, 502, 503, 504 -> UNAVAILABLE;
      default -> UNKNOWN;
    };
  }

  /** @return the status in a grpc-status value (0 to 16 and beyond, as sent), or {@link #NONE} when absent or not a number */
  public static int parse(CharSequence value) {
    if (value == null || value.length() == 0 || value.length() > 3) {
      return NONE;
    }
    int code = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return NONE;
      }
      code = code * 10 + (c - '0');
    }
    return code;
  }

  /** @return the spec's name of a code in upper case, such as {@code UNAVAILABLE}, or the number */
  public static String name(int code) {
    if (code == OK) {
      return "OK";
    }
    String name = GrpcCodes.name(code);
    return name == null ? Integer.toString(code) : name.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
  }

  /**
   * @return whether a status says the server or the path to it is unwell, as the load signals count it
   *     (the defaults of a breaker's failOn: UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL,
   *     UNAVAILABLE, DATA_LOSS)
   */
  public static boolean isServerFailure(int code) {
    // Most responses carry no gRPC status: answered without boxing and hashing it.
    return code > 0 && GrpcCodes.DEFAULT_FAILURES.contains(code);
  }

  /**
   * @param httpStatus the HTTP status the client got
   * @param grpcStatus the grpc-status it got, or {@link #NONE}
   * @return the status the load signals (the shedder's error rate) count: a gRPC server failure under
   *     HTTP 200 counts as the 5xx it stands for (503 UNAVAILABLE and RESOURCE_EXHAUSTED, 504
   *     DEADLINE_EXCEEDED, 500 the others)
   */
  public static int loadSignalStatus(int httpStatus, int grpcStatus) {
    if (httpStatus >= 300 || !isServerFailure(grpcStatus)) {
      return httpStatus;
    }
    return switch (grpcStatus) {
      case UNAVAILABLE, RESOURCE_EXHAUSTED -> 503;
      case DEADLINE_EXCEEDED -> 504;
      default -> 500;
    };
  }

  /**
   * Encodes a grpc-message: UTF-8, with every byte outside printable ASCII (0x20-0x7E) and {@code %}
   * itself written as {@code %XX}, per gRPC over HTTP/2.
   */
  public static String encodeMessage(String message) {
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    StringBuilder sb = null;
    for (int i = 0; i < bytes.length; i++) {
      int b = bytes[i] & 0xFF;
      boolean plain = b >= 0x20 && b <= 0x7E && b != '%';
      if (plain && sb == null) {
        continue;
      }
      if (sb == null) {
        sb = new StringBuilder(bytes.length + 16).append(message, 0, i); // bytes before i are ASCII
      }
      if (plain) {
        sb.append((char) b);
      } else {
        sb.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
      }
    }
    return sb == null ? message : sb.toString();
  }
}
