package io.salve.proxy.health.probe;

import java.nio.charset.StandardCharsets;

/**
 * The two protobuf messages of {@code grpc.health.v1.Health/Check}, encoded and decoded by hand (two
 * fields do not justify a protobuf runtime): the request {@code HealthCheckRequest { string service =
 * 1; }} and the response {@code HealthCheckResponse { ServingStatus status = 1; }}, each in a gRPC
 * length-prefixed frame (a compressed flag byte, a 4-byte big-endian length, the message).
 */
final class GrpcHealthMessages {
  /** {@code ServingStatus.SERVING}. */
  static final int SERVING = 1;
  /** Longest response message read; a real one is 2 bytes. */
  static final int MAX_RESPONSE = 1024;
  private static final String[] STATUS_NAMES = {"UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"};

  private GrpcHealthMessages() {}

  /** @return the framed request asking about {@code service} ({@code ""}: the server as a whole) */
  static byte[] request(String service) {
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    int fieldLength = name.length == 0 ? 0 : 1 + varintSize(name.length) + name.length; // proto3 omits ""
    byte[] out = new byte[5 + fieldLength];
    out[1] = (byte) (fieldLength >>> 24);
    out[2] = (byte) (fieldLength >>> 16);
    out[3] = (byte) (fieldLength >>> 8);
    out[4] = (byte) fieldLength;
    if (fieldLength > 0) {
      int pos = 5;
      out[pos++] = 0x0A; // field 1, length-delimited
      for (int v = name.length; ; v >>>= 7) {
        if ((v & ~0x7F) == 0) {
          out[pos++] = (byte) v;
          break;
        }
        out[pos++] = (byte) ((v & 0x7F) | 0x80);
      }
      System.arraycopy(name, 0, out, pos, name.length);
    }
    return out;
  }

  /**
   * @param framed the response's DATA, one length-prefixed message
   * @return the serving status (0 when the field is absent, as proto3 encodes UNKNOWN)
   * @throws IllegalArgumentException when it is not one uncompressed, well-formed message
   */
  static int servingStatus(byte[] framed, int length) {
    if (length < 5) {
      throw new IllegalArgumentException("no response message");
    }
    if (framed[0] != 0) {
      throw new IllegalArgumentException("compressed response message");
    }
    long declared = ((framed[1] & 0xFFL) << 24) | ((framed[2] & 0xFF) << 16) | ((framed[3] & 0xFF) << 8) | (framed[4] & 0xFF);
    if (declared != length - 5) {
      throw new IllegalArgumentException("response message length " + declared + " but " + (length - 5) + " bytes");
    }
    int status = 0;
    int[] pos = {5};
    while (pos[0] < length) {
      long tag = varint(framed, pos, length);
      int field = (int) (tag >>> 3);
      switch ((int) (tag & 7)) {
        case 0 -> {
          long v = varint(framed, pos, length);
          if (field == 1) {
            status = (int) v;
          }
        }
        case 1 -> skip(pos, 8, length);
        case 2 -> skip(pos, varint(framed, pos, length), length);
        case 5 -> skip(pos, 4, length);
        default -> throw new IllegalArgumentException("malformed response message");
      }
    }
    return status;
  }

  /** @return the name of a serving status, such as {@code NOT_SERVING} */
  static String statusName(int status) {
    return status >= 0 && status < STATUS_NAMES.length ? STATUS_NAMES[status] : Integer.toString(status);
  }

  private static int varintSize(int v) {
    int n = 1;
    while ((v & ~0x7F) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  private static long varint(byte[] b, int[] pos, int end) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= end) {
        throw new IllegalArgumentException("malformed response message");
      }
      int x = b[pos[0]++];
      v |= (long) (x & 0x7F) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("malformed response message");
  }

  private static void skip(int[] pos, long n, int end) {
    if (n < 0 || n > end - pos[0]) {
      throw new IllegalArgumentException("malformed response message");
    }
    pos[0] += (int) n;
  }
}
