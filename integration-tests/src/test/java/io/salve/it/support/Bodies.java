package io.salve.it.support;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Test bodies: reproducible random bytes and their SHA-256, for compare-after-transfer checks. */
public final class Bodies {
  private Bodies() {}

  /** @return {@code size} pseudo-random bytes, the same for the same seed. */
  public static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** @return the SHA-256 of {@code data} in lower-case hex. */
  public static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
