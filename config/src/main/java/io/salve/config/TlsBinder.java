package io.salve.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Binds {@code listeners[].tls} and {@code upstreams.<u>.tls}. Every named file must exist and be
 * readable now; whether its PEM content parses is checked when salve builds the TLS contexts at
 * startup (that needs the TLS engine, which this module does not have).
 */
final class TlsBinder {
  static final List<String> LISTENER_KEYS = List.of("cert", "key", "clientCa", "alpn", "certificates");
  static final List<String> UPSTREAM_KEYS = List.of("ca", "sni", "cert", "key", "verify");
  static final String HTTP_1_1 = "http/1.1";
  static final String H2 = "h2";

  /** A DNS name, or one leading {@code *.} wildcard label. */
  private static final Pattern SERVER_NAME =
      Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

  private final Nodes nodes;

  TlsBinder(Nodes nodes) {
    this.nodes = nodes;
  }

  /**
   * @param protocols what the listener serves: ALPN offers those ({@code h2} before {@code http/1.1})
   *     unless {@code tls.alpn} restricts it
   * @return the listener's TLS settings, or null when it has none (or they are unusable)
   */
  ListenerTlsConfig listener(Section l, ListenerProtocols protocols) {
    Section t = l.section("tls", "a map of cert, key, clientCa, alpn, certificates", LISTENER_KEYS);
    if (t == null) {
      return null;
    }
    Path cert = t.required("cert", "the path of a PEM certificate chain", this::file);
    Path key = t.required("key", "the path of a PEM private key", this::file);
    Path clientCa = t.value("clientCa", null, this::file);
    List<String> alpn = alpn(t, protocols);
    List<ListenerTlsConfig.SniCertificate> certificates = certificates(t);
    return cert == null || key == null ? null : new ListenerTlsConfig(cert, key, clientCa, alpn, certificates);
  }

  /** @return the upstream's TLS settings, or null when it has none (or they are unusable). */
  UpstreamTlsConfig upstream(Section u) {
    Section t = u.section("tls", "a map of ca, sni, cert, key, verify (or {} for the defaults)", UPSTREAM_KEYS);
    if (t == null) {
      return null;
    }
    Path ca = t.value("ca", null, this::file);
    String sni = t.value("sni", null, (n, p) -> nodes.text(n, p, "a DNS host name like api.example.com",
        s -> SERVER_NAME.matcher(s.toLowerCase(Locale.ROOT)).matches() && !s.startsWith("*")));
    Path cert = t.value("cert", null, this::file);
    Path key = t.value("key", null, this::file);
    if (t.has("cert") != t.has("key")) {
      String given = t.has("cert") ? "cert" : "key";
      nodes.invalid(t.get(given), t.path(given), "cert and key together (a client certificate needs its key)");
    }
    boolean verify = t.bool("verify", true);
    return new UpstreamTlsConfig(ca, sni == null ? null : sni.toLowerCase(Locale.ROOT), cert, key, verify);
  }

  /**
   * {@code tls.alpn}: by default what the listener serves, {@code h2} first; a list restricts it (in
   * the server's order of preference), and may name only protocols the listener serves.
   */
  private List<String> alpn(Section t, ListenerProtocols served) {
    List<String> offered = new ArrayList<>();
    if (served.http2()) {
      offered.add(H2);
    }
    if (served.http1()) {
      offered.add(HTTP_1_1);
    }
    List<Node> items = t.list("alpn", "a list of protocols like [h2, http/1.1]");
    if (items == null) {
      return offered;
    }
    List<String> protocols = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String path = t.path("alpn") + "[" + i + "]";
      String p = nodes.text(items.get(i), path, "h2 or http/1.1");
      if (p == null) {
        continue;
      }
      String lower = p.trim().toLowerCase(Locale.ROOT);
      if (!lower.equals(H2) && !lower.equals(HTTP_1_1)) {
        nodes.invalid(items.get(i), path, "h2 or http/1.1");
      } else if (!offered.contains(lower)) {
        nodes.report(items.get(i), path + ": " + lower + " is not among the listener's protocols ("
            + (lower.equals(H2) ? "h2" : "http1") + " is missing from listeners[].protocols)");
      } else if (!protocols.contains(lower)) {
        protocols.add(lower);
      }
    }
    if (protocols.isEmpty() && items.isEmpty()) {
      nodes.invalid(t.get("alpn"), t.path("alpn"), "a non-empty list like [h2, http/1.1]");
    }
    return protocols.isEmpty() ? offered : protocols;
  }

  private List<ListenerTlsConfig.SniCertificate> certificates(Section t) {
    List<ListenerTlsConfig.SniCertificate> certificates = new ArrayList<>();
    List<Node> items = t.list("certificates", "a list of {serverNames, cert, key}");
    Map<String, String> seen = new HashMap<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      String path = t.path("certificates") + "[" + i + "]";
      Section c = nodes.section(items.get(i), path, "a map of serverNames, cert, key",
          List.of("serverNames", "cert", "key"));
      List<String> names = new ArrayList<>();
      for (Node n : c.nonEmptyList("serverNames", "a non-empty list of host names like [api.example.com]")) {
        String namePath = c.path("serverNames");
        String name = nodes.text(n, namePath, "a host name like api.example.com or *.example.com",
            s -> SERVER_NAME.matcher(s.toLowerCase(Locale.ROOT)).matches());
        if (name == null) {
          continue;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String first = seen.putIfAbsent(lower, path);
        if (first != null) {
          nodes.invalid(n, namePath, "a server name not already listed in " + first);
        } else {
          names.add(lower);
        }
      }
      Path cert = c.required("cert", "the path of a PEM certificate chain", this::file);
      Path key = c.required("key", "the path of a PEM private key", this::file);
      if (cert != null && key != null && !names.isEmpty()) {
        certificates.add(new ListenerTlsConfig.SniCertificate(names, cert, key));
      }
    }
    return certificates;
  }

  /** @return the path of a readable regular file (relative paths are taken from the working directory). */
  private Path file(Node node, String path) {
    String text = nodes.text(node, path, "the path of a readable PEM file", s -> !s.isBlank());
    if (text == null) {
      return null;
    }
    Path file;
    try {
      file = Path.of(text.trim());
    } catch (InvalidPathException e) {
      nodes.invalid(node, path, "the path of a readable PEM file");
      return null;
    }
    if (Files.isDirectory(file)) {
      nodes.report(node, path + ": " + text.trim() + " is a directory (expected: the path of a readable PEM file)");
      return null;
    }
    try (InputStream in = Files.newInputStream(file)) {
      return file;
    } catch (IOException e) {
      nodes.report(node, path + ": cannot read " + text.trim() + ": " + ConfigLoader.reason(e));
      return null;
    }
  }
}
