package io.salve.config;

/**
 * An address block such as {@code 10.0.0.0/8} or {@code ::1/128}, already parsed.
 *
 * @param address the network address bytes (4 or 16)
 * @param prefixLength the prefix length in bits
 */
public record Cidr(byte[] address, int prefixLength) {
  /** @return whether {@code candidate} (4 or 16 raw bytes) lies in this block. */
  public boolean contains(byte[] candidate) {
    if (candidate.length != address.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (candidate[i] != address[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (candidate[full] & mask) == (address[full] & mask);
  }

  /** Equal blocks compare equal (a record compares arrays by identity), so a reload can tell "unchanged". */
  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && prefixLength == c.prefixLength && java.util.Arrays.equals(address, c.address);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(address) + prefixLength;
  }

  @Override
  public String toString() {
    try {
      return java.net.InetAddress.getByAddress(address).getHostAddress() + "/" + prefixLength;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
