package io.salve.proxy.reload;

import io.salve.config.SalveConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The configuration salve runs on and the hash of the file text it came from.
 *
 * @param config the running configuration
 * @param hash {@code sha256:} and the hex SHA-256 of the file's bytes
 */
public record LoadedConfig(SalveConfig config, String hash) {
  public LoadedConfig {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(hash, "hash");
  }

  /** @return the hash of {@code bytes} as shown by {@code /admin/config}. */
  public static String hash(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** @return the hash of {@code text} encoded as UTF-8. */
  public static String hash(String text) {
    return hash(text.getBytes(StandardCharsets.UTF_8));
  }
}
