package io.salve.proxy.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys, with one clear sentence per problem. Keys may be PKCS#8
 * ({@code BEGIN PRIVATE KEY}) or traditional OpenSSL ({@code BEGIN RSA PRIVATE KEY}, PKCS#1, and
 * {@code BEGIN EC PRIVATE KEY}, SEC1): the JDK reads only PKCS#8, so traditional keys are wrapped into
 * it here (a few bytes of DER) rather than pulling in Bouncy Castle for it.
 */
public final class PemFiles {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----", Pattern.DOTALL);
  /** rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters. */
  private static final byte[] RSA_ALGORITHM = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
  };
  /** id-ecPublicKey, 1.2.840.10045.2.1. */
  private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
  private static final String[] PKCS8_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

  private PemFiles() {}

  /** @return the certificates of a PEM file, leaf first, as written. */
  public static X509Certificate[] certificates(Path file) throws TlsMaterialException {
    byte[] bytes = read(file);
    if (!new String(bytes, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new TlsMaterialException(file, "no PEM certificate in it (expected: -----BEGIN CERTIFICATE-----)");
    }
    try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
      List<X509Certificate> certs = new ArrayList<>();
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (var c : factory.generateCertificates(in)) {
        certs.add((X509Certificate) c);
      }
      if (certs.isEmpty()) {
        throw new TlsMaterialException(file, "no PEM certificate in it (expected: -----BEGIN CERTIFICATE-----)");
      }
      return certs.toArray(new X509Certificate[0]);
    } catch (CertificateException | IOException e) {
      throw new TlsMaterialException(file, "not a PEM certificate (" + oneLine(e) + ")");
    }
  }

  /** @return the private key of a PEM file: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. */
  public static PrivateKey privateKey(Path file) throws TlsMaterialException {
    String text = new String(read(file), StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2).trim());
      } catch (IllegalArgumentException e) {
        throw new TlsMaterialException(file, "the " + type + " block is not valid base64");
      }
      switch (type) {
        case "PRIVATE KEY":
          return pkcs8(file, der, PKCS8_ALGORITHMS);
        case "RSA PRIVATE KEY":
          return pkcs8(file, wrap(RSA_ALGORITHM, der), new String[] {"RSA"});
        case "EC PRIVATE KEY":
          return pkcs8(file, wrap(ecAlgorithm(file, der), der), new String[] {"EC"});
        case "ENCRYPTED PRIVATE KEY":
          throw new TlsMaterialException(file, "encrypted private keys are not supported yet (expected: an unencrypted"
              + " PEM key; decrypt it with openssl pkey -in KEY -out KEY.pem)");
        default:
          // e.g. EC PARAMETERS before the key, as openssl ecparam -genkey writes them
      }
    }
    throw new TlsMaterialException(file, "no PEM private key in it (expected: -----BEGIN PRIVATE KEY-----, "
        + "-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----)");
  }

  /**
   * Checks that {@code key} is the private key of {@code leaf} by signing with one and verifying with
   * the other, so a half-rotated pair is refused instead of failing every handshake.
   */
  public static void checkPair(Path certFile, X509Certificate leaf, Path keyFile, PrivateKey key)
      throws TlsMaterialException {
    PublicKey pub = leaf.getPublicKey();
    String algorithm = signatureAlgorithm(key.getAlgorithm());
    boolean matches;
    try {
      byte[] probe = new byte[32];
      new SecureRandom().nextBytes(probe);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(pub);
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new TlsMaterialException(keyFile, "this private key does not belong to the certificate in " + certFile);
    }
  }

  private static String signatureAlgorithm(String keyAlgorithm) {
    switch (keyAlgorithm) {
      case "EC":
        return "SHA256withECDSA";
      case "Ed25519":
      case "Ed448":
      case "EdDSA":
        return keyAlgorithm;
      case "RSASSA-PSS":
        return "RSASSA-PSS";
      default:
        return "SHA256withRSA";
    }
  }

  private static PrivateKey pkcs8(Path file, byte[] der, String[] algorithms) throws TlsMaterialException {
    for (String algorithm : algorithms) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException | RuntimeException e) {
        // try the next algorithm
      }
    }
    throw new TlsMaterialException(file, "the private key cannot be read (expected: an RSA, EC or Ed25519 key)");
  }

  /** @return the AlgorithmIdentifier of a SEC1 key: id-ecPublicKey with the curve OID from its [0] field. */
  private static byte[] ecAlgorithm(Path file, byte[] sec1) throws TlsMaterialException {
    try {
      int[] seq = header(sec1, 0, 0x30);
      int p = seq[0];
      int end = seq[0] + seq[1];
      while (p < end) {
        int tag = sec1[p] & 0xff;
        int[] h = header(sec1, p, tag);
        if (tag == 0xa0) {
          int[] oid = header(sec1, h[0], 0x06);
          byte[] curve = java.util.Arrays.copyOfRange(sec1, h[0], oid[0] + oid[1]);
          ByteArrayOutputStream body = new ByteArrayOutputStream();
          body.writeBytes(EC_PUBLIC_KEY);
          body.writeBytes(curve);
          return tlv(0x30, body.toByteArray());
        }
        p = h[0] + h[1];
      }
    } catch (RuntimeException e) {
      // reported below
    }
    throw new TlsMaterialException(file, "the EC private key does not name its curve (expected: a SEC1 key with"
        + " parameters, or a PKCS#8 key from openssl pkey)");
  }

  /** @return {content offset, content length} of the DER element at {@code p}, which must have {@code tag}. */
  private static int[] header(byte[] der, int p, int tag) {
    if ((der[p] & 0xff) != tag) {
      throw new IllegalArgumentException("unexpected DER tag");
    }
    int len = der[p + 1] & 0xff;
    int offset = p + 2;
    if (len >= 0x80) {
      int n = len & 0x7f;
      len = 0;
      for (int i = 0; i < n; i++) {
        len = (len << 8) | (der[offset++] & 0xff);
      }
    }
    return new int[] {offset, len};
  }

  /** @return the PKCS#8 PrivateKeyInfo for a traditional key: version 0, algorithm, key as an OCTET STRING. */
  private static byte[] wrap(byte[] algorithm, byte[] key) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(algorithm);
    body.writeBytes(tlv(0x04, key));
    return tlv(0x30, body.toByteArray());
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int len = content.length;
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write(len >> 8);
      out.write(len);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] read(Path file) throws TlsMaterialException {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      String reason = e instanceof java.nio.file.NoSuchFileException ? "no such file"
          : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : oneLine(e);
      throw new TlsMaterialException(file, "cannot read it: " + reason);
    }
  }

  private static String oneLine(Exception e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
  }
}
