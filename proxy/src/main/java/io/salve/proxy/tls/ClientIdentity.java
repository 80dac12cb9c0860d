package io.salve.proxy.tls;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * The verified client certificate of a connection (mTLS), computed once after its handshake: the
 * names routes match on, and the element salve adds to {@code x-forwarded-client-cert} in Envoy's
 * format, {@code Hash=<sha256 of DER, hex>;Subject="<RFC 2253>";URI=<uri>;DNS=<name>} (one
 * {@code URI=}/{@code DNS=} pair per SAN).
 *
 * @param uris the certificate's URI subject alternative names (e.g. SPIFFE IDs)
 * @param dnsNames its DNS subject alternative names
 * @param xfcc this certificate's element of {@code x-forwarded-client-cert}
 */
public record ClientIdentity(List<String> uris, List<String> dnsNames, String xfcc) {
  private static final AttributeKey<ClientIdentity> KEY = AttributeKey.valueOf("salve.clientIdentity");
  private static final int SAN_DNS = 2;
  private static final int SAN_URI = 6;

  public ClientIdentity {
    uris = List.copyOf(uris);
    dnsNames = List.copyOf(dnsNames);
  }

  /** @return the identity of the connection's verified client certificate, or null when it has none */
  public static ClientIdentity of(Channel channel) {
    return channel.hasAttr(KEY) ? channel.attr(KEY).get() : null;
  }

  static void set(Channel channel, ClientIdentity identity) {
    channel.attr(KEY).set(identity);
  }

  /** @return the identity of a verified client certificate (the leaf of the peer's chain) */
  public static ClientIdentity from(X509Certificate cert) {
    List<String> uris = new ArrayList<>();
    List<String> dns = new ArrayList<>();
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          if (type == SAN_URI) {
            uris.add(String.valueOf(san.get(1)));
          } else if (type == SAN_DNS) {
            dns.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // a certificate the trust manager accepted but whose SANs cannot be read: it has no names
    }
    StringBuilder xfcc = new StringBuilder(160).append("Hash=").append(sha256(cert));
    xfcc.append(";Subject=\"").append(escape(cert.getSubjectX500Principal().getName(X500Principal.RFC2253)))
        .append('"');
    for (String uri : uris) {
      xfcc.append(";URI=").append(value(uri));
    }
    for (String name : dns) {
      xfcc.append(";DNS=").append(value(name));
    }
    return new ClientIdentity(uris, dns, xfcc.toString());
  }

  private static String sha256(X509Certificate cert) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot hash a verified certificate", e);
    }
  }

  /** A value with a separator ({@code , ; =}) or a quote is quoted, as Envoy does. */
  private static String value(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == ',' || c == ';' || c == '=' || c == '"') {
        return "\"" + escape(v) + "\"";
      }
    }
    return v;
  }

  /** Only the quote is escaped: the subject's own RFC 2253 backslashes pass as they are, as in Envoy. */
  private static String escape(String v) {
    return v.replace("\"", "\\\"");
  }
}
