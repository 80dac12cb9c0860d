package io.salve.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for a test with Bouncy Castle: a CA, and leaves it issues with chosen names and
 * validity, written as PEM (PKCS#8 or traditional keys) or PKCS#12 (for WireMock's HTTPS), and
 * SSLContexts for Java clients.
 */
public final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());
  private static final String PASSWORD = "changeit";

  /** A key pair and its certificate chain (leaf first). */
  public record Issued(KeyPair keys, X509Certificate[] chain) {
    public X509Certificate cert() {
      return chain[0];
    }
  }

  private final Path dir;

  public TestPki(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  public Path dir() {
    return dir;
  }

  /** @return a self-signed CA */
  public Issued ca(String cn) throws Exception {
    KeyPair keys = ec();
    X500Name name = new X500Name("CN=" + cn);
    Instant now = Instant.now();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(Duration.ofDays(2))), name, keys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
        .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return new Issued(keys, new X509Certificate[] {sign(b, keys.getPrivate())});
  }

  /**
   * @param subject e.g. {@code CN=web}
   * @param sans {@code dns:localhost}, {@code ip:127.0.0.1} or {@code uri:spiffe://...}
   * @param expired whether its validity ended yesterday
   */
  public Issued leaf(Issued ca, String subject, List<String> sans, boolean expired, boolean rsa) throws Exception {
    KeyPair keys = rsa ? rsa() : ec();
    Instant now = Instant.now();
    Instant from = expired ? now.minus(Duration.ofDays(3)) : now.minus(Duration.ofHours(1));
    Instant to = expired ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofDays(1));
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.cert(), serial(), Date.from(from), Date.from(to),
        new X500Name(subject), keys.getPublic())
        .addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    List<GeneralName> names = new ArrayList<>();
    for (String san : sans) {
      String value = san.substring(san.indexOf(':') + 1);
      if (san.startsWith("dns:")) {
        names.add(new GeneralName(GeneralName.dNSName, value));
      } else if (san.startsWith("ip:")) {
        names.add(new GeneralName(GeneralName.iPAddress, value));
      } else {
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, value));
      }
    }
    if (!names.isEmpty()) {
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
    }
    return new Issued(keys, new X509Certificate[] {sign(b, ca.keys().getPrivate()), ca.cert()});
  }

  /** Writes the chain as PEM to {@code name}.crt and the key to {@code name}.key; @return the directory. */
  public Path writePem(String name, Issued issued, boolean traditionalKey) throws Exception {
    writeCerts(dir.resolve(name + ".crt"), issued.chain());
    writeKey(dir.resolve(name + ".key"), issued.keys().getPrivate(), traditionalKey);
    return dir;
  }

  public static void writeCerts(Path file, X509Certificate... certs) throws Exception {
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
      for (X509Certificate c : certs) {
        pem.writeObject(c);
      }
    }
    Files.writeString(file, w.toString());
  }

  /** PKCS#8 ({@code BEGIN PRIVATE KEY}), or traditional ({@code BEGIN RSA/EC PRIVATE KEY}). */
  public static void writeKey(Path file, PrivateKey key, boolean traditional) throws Exception {
    if (!traditional) {
      String b64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
      Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
      return;
    }
    StringWriter w = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(key);
    }
    Files.writeString(file, w.toString());
  }

  /** @return a PKCS#12 keystore holding {@code issued} (password {@value #PASSWORD}) */
  public Path keystore(String name, Issued issued) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("key", issued.keys().getPrivate(), PASSWORD.toCharArray(), issued.chain());
    return store(name, ks);
  }

  /** @return a PKCS#12 trust store holding {@code ca} */
  public Path truststore(String name, Issued ca) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setCertificateEntry("ca", ca.cert());
    return store(name, ks);
  }

  public static String password() {
    return PASSWORD;
  }

  /** @return a client context trusting {@code ca}, presenting {@code client} when not null */
  public static SSLContext clientContext(Issued ca, Issued client) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (client != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("key", client.keys().getPrivate(), PASSWORD.toCharArray(), client.chain());
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keys, PASSWORD.toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    javax.net.ssl.KeyManager[] kms = kmf == null ? null
        : new javax.net.ssl.KeyManager[] {new AlwaysPresent((javax.net.ssl.X509ExtendedKeyManager) kmf.getKeyManagers()[0])};
    ctx.init(kms, tmf.getTrustManagers(), new SecureRandom());
    return ctx;
  }

  /**
   * Presents the certificate whatever CAs the server asks for (the JDK's own key manager would send
   * none when its issuer is not among them), so a server's refusal of an unknown CA can be tested.
   */
  private static final class AlwaysPresent extends javax.net.ssl.X509ExtendedKeyManager {
    private final javax.net.ssl.X509ExtendedKeyManager delegate;

    AlwaysPresent(javax.net.ssl.X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine e) {
      return "key";
    }

    @Override
    public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return "key";
    }

    @Override
    public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
      return new String[] {"key"};
    }

    @Override
    public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }

  private Path store(String name, KeyStore ks) throws Exception {
    Path file = dir.resolve(name + ".p12");
    try (OutputStream out = Files.newOutputStream(file)) {
      ks.store(out, PASSWORD.toCharArray());
    }
    return file;
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) throws Exception {
    String alg = signer.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(signer)));
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }
}
