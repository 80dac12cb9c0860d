package io.salve.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.salve.it.support.RawClient;
import io.salve.it.support.RawUpstream;
import io.salve.it.support.SalveProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays raw malformed and ambiguous HTTP/1.1 messages through the real salve jar, one at a time,
 * against an upstream written on a bare socket that records every byte it receives.
 *
 * <ul>
 *   <li>Requests salve must refuse: the status, the closed connection, and that not one byte reached
 *       the upstream - proven by a valid probe on a new connection being the only thing it received.
 *   <li>Requests salve must accept: exactly what the upstream saw (canonical path, Host, stripped
 *       fields) and which route took it, so matching and forwarding use the same form.
 *   <li>Malformed upstream responses: 502 with the reason, and the upstream connection closed, never
 *       reused.
 *   <li>X-Forwarded-* with and without trusted proxies.
 * </ul>
 *
 * <p>See docs/http-compliance.md for the decisions each case pins down.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestCorpusIT {
  private static final String HOST = "Host: corpus.test\r\n";
  private static final String CHUNKED_HELLO = "5\r\nhello\r\n0\r\n\r\n";

  private RawUpstream upstream;
  private SalveProcess salve;
  private volatile RawUpstream.Reply malformed;

  @BeforeAll
  void start() throws Exception {
    upstream = new RawUpstream();
    upstream.respondWith(
        r -> {
          String target = r.target() == null ? "" : r.target();
          if (target.startsWith("/resp/bad")) {
            return malformed;
          }
          if (target.startsWith("/resp/")) {
            // no keep-alive on this upstream, so every request there opens a connection we can count
            return RawUpstream.Reply.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", true);
          }
          return RawUpstream.OK;
        });
    String yaml =
        """
        admin: { address: 127.0.0.1:0 }
        listeners:
          - name: strict
            address: 127.0.0.1:0
            maxRequestBody: 1024
            routes:
              - name: admin
                match: { pathPrefix: /admin }
                upstream: admin-pool
              - name: responses
                match: { pathPrefix: /resp/ }
                upstream: raw-resp
              - name: default
                match: { pathPrefix: / }
                upstream: raw
          - name: trusting
            address: 127.0.0.1:0
            trustedProxies: [127.0.0.1/32]
            routes:
              - match: { pathPrefix: / }
                upstream: raw
        upstreams:
          raw:
            endpoints: [127.0.0.1:%1$d]
            retry: { maxAttempts: 1 }
          admin-pool:
            endpoints: [127.0.0.1:%1$d]
            retry: { maxAttempts: 1 }
          raw-resp:
            endpoints: [127.0.0.1:%1$d]
            retry: { maxAttempts: 1 }
        """
            .formatted(upstream.port());
    salve = SalveProcess.start(yaml);
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (salve != null) {
        salve.close(); // asserts a clean exit and no buffer leak
      }
    } finally {
      if (upstream != null) {
        upstream.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Requests salve must refuse without forwarding a byte

  static Stream<Arguments> rejected() {
    return Stream.of(
        // Framing: Content-Length and Transfer-Encoding (RFC 9112 §6)
        arguments("CL and TE both present",
            "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("TE and CL both present, TE first",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nContent-Length: 22\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("TE: chunked, identity (chunked not final)",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked, identity\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("TE: chunked applied twice",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked, chunked\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("TE split over two lines, chunked not final",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("TE: identity without chunked",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: identity\r\n\r\nhello", 400),
        arguments("TE: xchunked",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: xchunked\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("TE with an empty list element ', chunked'",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: , chunked\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("TE: gzip, chunked (unknown coding)",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: gzip, chunked\r\n\r\n" + CHUNKED_HELLO, 501),
        arguments("Transfer-Encoding in HTTP/1.0",
            "POST / HTTP/1.0\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("vertical tab before the TE value",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding:\u000bchunked\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("space before colon in Transfer-Encoding",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding : chunked\r\n\r\n" + CHUNKED_HELLO, 400),
        arguments("CL: +5", "POST / HTTP/1.1\r\n" + HOST + "Content-Length: +5\r\n\r\nhello", 400),
        arguments("CL: 5, 6", "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5, 6\r\n\r\nhello!", 400),
        arguments("duplicate CL 5/5 on two lines",
            "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
        arguments("CL: 5, 5 as a list", "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 5, 5\r\n\r\nhello", 400),
        arguments("CL: -1", "POST / HTTP/1.1\r\n" + HOST + "Content-Length: -1\r\n\r\nhello", 400),
        arguments("CL: 0x5 (hex)", "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 0x5\r\n\r\nhello", 400),
        arguments("CL overflowing 64 bits",
            "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 99999999999999999999\r\n\r\nhello", 400),
        arguments("CL empty", "POST / HTTP/1.1\r\n" + HOST + "Content-Length: \r\n\r\n", 400),
        arguments("CL with inner space '1 0'", "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 1 0\r\n\r\nhellohello", 400),
        // Chunked body framing (RFC 9112 §7.1)
        arguments("invalid chunk size 0xZZ",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n0xZZ\r\nhello\r\n0\r\n\r\n", 400),
        arguments("chunk size overflow",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", 400),
        arguments("negative chunk size",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400),
        arguments("chunk extension too long (over 8KiB)",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n5;a=" + "b".repeat(9000)
                + "\r\nhello\r\n0\r\n\r\n", 400),
        arguments("chunk size line ended by bare LF",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400),
        arguments("chunk data longer than its size",
            "POST / HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400),
        // Field syntax (RFC 9112 §2.2, §5; RFC 9110 §5.5)
        arguments("obs-fold in header", "GET / HTTP/1.1\r\n" + HOST + "X-Folded: a\r\n b\r\n\r\n", 400),
        arguments("whitespace line between request line and first field",
            "GET / HTTP/1.1\r\n " + HOST + "\r\n", 400),
        arguments("bare CR in header value", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\rb\r\n\r\n", 400),
        arguments("NUL in header value", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\u0000b\r\n\r\n", 400),
        arguments("DEL in header value", "GET / HTTP/1.1\r\n" + HOST + "X-A: a\u007fb\r\n\r\n", 400),
        arguments("space before colon", "GET / HTTP/1.1\r\n" + HOST + "X-A : b\r\n\r\n", 400),
        arguments("tab before colon", "GET / HTTP/1.1\r\n" + HOST + "X-A\t: b\r\n\r\n", 400),
        arguments("invalid header name char", "GET / HTTP/1.1\r\n" + HOST + "X(A): b\r\n\r\n", 400),
        arguments("empty header name", "GET / HTTP/1.1\r\n" + HOST + ": b\r\n\r\n", 400),
        arguments("header line without colon", "GET / HTTP/1.1\r\n" + HOST + "X-A b\r\n\r\n", 400),
        arguments("bare LF line endings", "GET / HTTP/1.1\nHost: corpus.test\n\n", 400),
        arguments("bare CR line ending", "GET / HTTP/1.1\r\nHost: corpus.test\rX-A: b\r\n\r\n", 400),
        arguments("NUL before the request line", "\u0000GET / HTTP/1.1\r\n" + HOST + "\r\n", 400),
        // Request line (RFC 9112 §3)
        arguments("request line with two spaces", "GET  / HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("tab as request line separator", "GET\t/ HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("trailing space after version", "GET / HTTP/1.1 \r\n" + HOST + "\r\n", 400),
        arguments("missing HTTP version", "GET /\r\n" + HOST + "\r\n", 400),
        arguments("lower-case http version", "GET / http/1.1\r\n" + HOST + "\r\n", 400),
        arguments("HTTP/2.0 request line", "GET / HTTP/2.0\r\n" + HOST + "\r\n", 505),
        arguments("invalid method char", "G(T / HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("lower-case method", "get / HTTP/1.1\r\n" + HOST + "\r\n", 501),
        arguments("request line over the limit",
            "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n" + HOST + "\r\n", 414),
        // Host and request-target forms (RFC 9112 §3.2)
        arguments("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
        arguments("two Host headers", "GET / HTTP/1.1\r\n" + HOST + "Host: other.test\r\n\r\n", 400),
        arguments("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@corpus.test\r\n\r\n", 400),
        arguments("Host with a path", "GET / HTTP/1.1\r\nHost: corpus.test/x\r\n\r\n", 400),
        arguments("Host as a list", "GET / HTTP/1.1\r\nHost: a.test, b.test\r\n\r\n", 400),
        arguments("Host with a non-numeric port", "GET / HTTP/1.1\r\nHost: corpus.test:8o\r\n\r\n", 400),
        arguments("Host with a port over 65535", "GET / HTTP/1.1\r\nHost: corpus.test:65536\r\n\r\n", 400),
        arguments("empty Host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", 400),
        arguments("absolute-form with userinfo", "GET http://user@corpus.test/ HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("absolute-form with https scheme", "GET https://corpus.test/ HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("authority-form without CONNECT", "GET corpus.test:80 HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("CONNECT", "CONNECT corpus.test:443 HTTP/1.1\r\nHost: corpus.test:443\r\n\r\n", 405),
        arguments("OPTIONS *", "OPTIONS * HTTP/1.1\r\n" + HOST + "\r\n", 501),
        arguments("asterisk-form with GET", "GET * HTTP/1.1\r\n" + HOST + "\r\n", 400),
        // Paths (http-safety.md §6)
        arguments("path escaping root /../", "GET /../admin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("%2e%2e escaping root", "GET /public/%2e%2e/%2E%2E/admin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("%2F in path", "GET /public/%2E%2E%2Fadmin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("%2f..%2f in path", "GET /public%2f..%2fadmin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("%5C in path", "GET /public/..%5Cadmin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("backslash in path", "GET /public\\..\\admin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("backslash as first char", "GET \\admin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("fragment #", "GET /admin#x HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("fragment # in query", "GET /a?b#x HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("NUL %00 in path", "GET /admin%00 HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("malformed escape %zz", "GET /a%zz HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("dot-dot with a path parameter ..;", "GET /public/..;/admin HTTP/1.1\r\n" + HOST + "\r\n", 400),
        arguments("non-ASCII byte in path", "GET /caf\u00e9 HTTP/1.1\r\n" + HOST + "\r\n", 400),
        // Connection nominating framing fields (http-safety.md §3)
        arguments("Connection: content-length",
            "POST / HTTP/1.1\r\n" + HOST + "Connection: content-length\r\nContent-Length: 5\r\n\r\nhello", 400),
        arguments("Connection: transfer-encoding",
            "POST / HTTP/1.1\r\n" + HOST + "Connection: close, Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                + CHUNKED_HELLO, 400),
        arguments("Connection: host", "GET / HTTP/1.1\r\n" + HOST + "Connection: host\r\n\r\n", 400),
        // Limits (RFC 9110 §15.5.14, RFC 6585 §5)
        arguments("header section over 32KiB",
            "GET / HTTP/1.1\r\n" + HOST
                + IntStream.range(0, 40).mapToObj(i -> "X-Pad-" + i + ": " + "p".repeat(1000) + "\r\n").collect(Collectors.joining())
                + "\r\n", 431),
        arguments("101 header fields",
            "GET / HTTP/1.1\r\n" + HOST
                + IntStream.range(0, 100).mapToObj(i -> "X-F-" + i + ": 1\r\n").collect(Collectors.joining()) + "\r\n", 431),
        arguments("Content-Length over maxRequestBody",
            "POST / HTTP/1.1\r\n" + HOST + "Content-Length: 2000\r\n\r\n0123456789", 413));
  }

  @ParameterizedTest(name = "[{index}] {0} -> {2}")
  @MethodSource("rejected")
  void refusedRequestIsAnsweredThenClosedAndNeverForwarded(String name, String raw, int expectedStatus) throws Exception {
    upstream.reset();

    RawClient.Response r = RawClient.send(salve.port("strict"), raw, true);

    assertThat(r.status()).as("%s: status (response was %s)", name, r.raw()).isEqualTo(expectedStatus);
    assertThat(r.value("x-salve-error")).as("%s: answered by salve itself", name).isNotNull();
    assertThat(r.closed()).as("%s: connection closed after the answer", name).isTrue();
    assertOnlyProbeReachesUpstream(name);
  }

  /**
   * Sends a valid request on a new connection and asserts that it alone reached the upstream since
   * the last reset: salve still works, and nothing of the refused request came before it.
   */
  private void assertOnlyProbeReachesUpstream(String name) throws Exception {
    String probe = "/probe/" + UUID.randomUUID();
    RawClient.Response ok =
        RawClient.send(salve.port("strict"), "GET " + probe + " HTTP/1.1\r\n" + HOST + "\r\n", false);
    assertThat(ok.status()).as("%s: probe after it", name).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("ok");
    List<RawUpstream.Received> got = upstream.received();
    assertThat(got).as("%s: requests the upstream received", name).hasSize(1);
    assertThat(got.get(0).requestLine()).isEqualTo("GET " + probe + " HTTP/1.1");
    assertThat(upstream.bytesSinceReset())
        .as("%s: bytes the upstream received besides the probe (%s)", name, got.get(0).rawText())
        .isEqualTo(got.get(0).raw().length);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests salve must accept, and what exactly the upstream sees

  /**
   * @param target the request-target the upstream must see
   * @param upstreamName the upstream (so the route) that must have taken it
   * @param check further assertions on what the upstream received
   */
  record Seen(String target, String upstreamName, Consumer<RawUpstream.Received> check) {
    static Seen at(String target) {
      return new Seen(target, "raw", r -> {});
    }

    static Seen at(String target, String upstreamName) {
      return new Seen(target, upstreamName, r -> {});
    }

    Seen and(Consumer<RawUpstream.Received> more) {
      return new Seen(target, upstreamName, check.andThen(more));
    }

    @Override
    public String toString() {
      return target + " via " + upstreamName;
    }
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        arguments("absolute-form with different Host (R5: target authority wins, routing by config)",
            "GET http://upstream.test:8080/p?q=1 HTTP/1.1\r\nHost: evil.test\r\n\r\n", 200,
            Seen.at("/p?q=1").and(r -> {
              assertThat(r.values("host")).containsExactly("upstream.test:8080");
              assertThat(r.value("x-forwarded-host")).isEqualTo("upstream.test:8080");
              assertThat(r.value("via")).isEqualTo("1.1 salve");
            })),
        arguments("absolute-form with empty path",
            "GET http://upstream.test HTTP/1.1\r\nHost: upstream.test\r\n\r\n", 200, Seen.at("/")),
        arguments("x-salve-* header forged (dropped)",
            "GET /forged HTTP/1.1\r\n" + HOST + "X-Salve-Upstream: evil\r\nx-salve-error: none\r\nX-SALVE-ROUTE: x\r\n\r\n", 200,
            Seen.at("/forged").and(r ->
                assertThat(r.fields()).noneMatch(f -> f[0].toLowerCase(java.util.Locale.ROOT).startsWith("x-salve-")))),
        arguments("dot segments /public/./a/../b", "GET /public/./a/../b HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/public/b")),
        arguments("/public/../admin", "GET /public/../admin HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/admin", "admin-pool")),
        arguments("/public/%2e%2e/admin", "GET /public/%2e%2e/admin HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/admin", "admin-pool")),
        arguments("//admin (slashes merged)", "GET //admin HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/admin", "admin-pool")),
        arguments("/./admin", "GET /./admin HTTP/1.1\r\n" + HOST + "\r\n", 200, Seen.at("/admin", "admin-pool")),
        arguments("/admin;x=1 (path parameter kept)", "GET /admin;x=1 HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/admin;x=1", "admin-pool")),
        arguments("/ADMIN (case-sensitive: not the admin route)", "GET /ADMIN HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/ADMIN", "raw")),
        arguments("/admin/ (trailing slash kept)", "GET /admin/ HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/admin/", "admin-pool")),
        arguments("/%61dmin (encoded unreserved decoded)", "GET /%61dmin HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/admin", "admin-pool")),
        arguments("/caf%c3%a9 (escape hex upper-cased)", "GET /caf%c3%a9 HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/caf%C3%A9")),
        arguments("query forwarded verbatim", "GET /q?a=%2F&b=../x&c=%2e HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/q?a=%2F&b=../x&c=%2e")),
        arguments("empty line before the request line", "\r\nGET /lead HTTP/1.1\r\n" + HOST + "\r\n", 200,
            Seen.at("/lead")),
        arguments("HTTP/1.0 without Host (gets one upstream)", "GET /old HTTP/1.0\r\n\r\n", 200,
            Seen.at("/old").and(r -> {
              assertThat(r.requestLine()).isEqualTo("GET /old HTTP/1.1");
              assertThat(r.values("host")).hasSize(1);
              assertThat(r.value("host")).startsWith("127.0.0.1:");
            })),
        arguments("hop-by-hop fields stripped",
            "GET /hop HTTP/1.1\r\n" + HOST + "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: h2c\r\nX-End: 2\r\n\r\n", 200,
            Seen.at("/hop").and(r -> {
              for (String f : List.of("connection", "x-hop", "keep-alive", "proxy-connection", "te", "upgrade")) {
                assertThat(r.values(f)).as(f).isEmpty();
              }
              assertThat(r.value("x-end")).isEqualTo("2");
            })),
        arguments("chunk extension ignored, body re-framed",
            "POST /ext HTTP/1.1\r\n" + HOST + "Transfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n", 200,
            Seen.at("/ext").and(r -> {
              assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello");
              assertThat(r.value("transfer-encoding")).isEqualTo("chunked");
              assertThat(r.values("content-length")).isEmpty();
              assertThat(r.rawText()).doesNotContain("name=value");
            })),
        arguments("Transfer-Encoding value is case-insensitive",
            "POST /te HTTP/1.1\r\n" + HOST + "Transfer-Encoding: Chunked\r\n\r\n" + CHUNKED_HELLO, 200,
            Seen.at("/te").and(r -> assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello"))),
        arguments("Content-Length body forwarded",
            "POST /cl HTTP/1.1\r\n" + HOST + "Content-Length: 5\r\n\r\nhello", 200,
            Seen.at("/cl").and(r -> {
              assertThat(r.values("content-length")).containsExactly("5");
              assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).isEqualTo("hello");
            })),
        arguments("IPv6 literal Host", "GET /v6 HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200,
            Seen.at("/v6").and(r -> assertThat(r.value("host")).isEqualTo("[::1]:8080"))));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("accepted")
  void acceptedRequestIsForwardedInTheFormItWasMatched(String name, String raw, int expectedStatus, Seen seen)
      throws Exception {
    upstream.reset();

    RawClient.Response r = RawClient.send(salve.port("strict"), raw, false);

    assertThat(r.status()).as("%s: status (response was %s)", name, r.raw()).isEqualTo(expectedStatus);
    assertThat(r.body()).isEqualTo("ok");
    assertThat(r.value("x-salve-upstream")).as("%s: the route that took it", name).isEqualTo(seen.upstreamName());
    List<RawUpstream.Received> got = upstream.received();
    assertThat(got).as("%s: requests the upstream received", name).hasSize(1);
    RawUpstream.Received up = got.get(0);
    assertThat(up.target()).as("%s: request-target upstream (%s)", name, up.rawText()).isEqualTo(seen.target());
    seen.check().accept(up);
    assertThat(upstream.bytesSinceReset()).as("%s: nothing but that request upstream", name).isEqualTo(up.raw().length);
  }

  // ---------------------------------------------------------------------------------------------
  // Malformed upstream responses: 502, and the connection is never reused

  static Stream<Arguments> malformedResponses() {
    String pe = "upstream_protocol_error";
    return Stream.of(
        arguments("both CL and TE",
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false, pe),
        arguments("invalid CL", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nok", false, pe),
        arguments("CL: +2", "HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok", false, pe),
        arguments("two different CLs", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok!", false, pe),
        arguments("CL: 2, 3 as a list", "HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok!", false, pe),
        arguments("bare LF line endings", "HTTP/1.1 200 OK\nContent-Length: 2\n\nok", false, pe),
        arguments("bare CR in header", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("invalid chunk size",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nhello\r\n0\r\n\r\n", false, pe),
        arguments("chunk size overflow",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", false, pe),
        arguments("transfer coding other than chunked",
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nnot-gzip", false, pe),
        arguments("Transfer-Encoding in an HTTP/1.0 response",
            "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n", false, pe),
        arguments("obs-fold in header",
            "HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("NUL in header value", "HTTP/1.1 200 OK\r\nX-A: a\u0000b\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok", false, pe),
        arguments("invalid header name char", "HTTP/1.1 200 OK\r\nX(A): b\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("status line garbage", "HTTX/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("non-numeric status code", "HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("no status code", "HTTP/1.1\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("status code below 100 (would pass for informational)",
            "HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("Connection nominates Content-Length",
            "HTTP/1.1 200 OK\r\nConnection: content-length\r\nContent-Length: 2\r\n\r\nok", false, pe),
        arguments("101 Switching Protocols (upgrade not requested)",
            "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", false, pe),
        arguments("response truncated before headers end",
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Cut: ", true, "upstream_reset"),
        arguments("response truncated in the status line", "HTTP/1.1 20", true, "upstream_reset"));
  }

  @ParameterizedTest(name = "[{index}] {0} -> 502 {3}")
  @MethodSource("malformedResponses")
  void malformedUpstreamResponseIs502AndItsConnectionIsNeverReused(
      String name, String rawResponse, boolean upstreamCloses, String expectedError) throws Exception {
    malformed = RawUpstream.Reply.of(rawResponse, upstreamCloses);
    upstream.reset();
    int acceptsBefore = upstream.accepts();

    RawClient.Response r =
        RawClient.send(salve.port("strict"), "GET /resp/bad HTTP/1.1\r\n" + HOST + "\r\n", false);

    assertThat(r.status()).as("%s: status (response was %s)", name, r.raw()).isEqualTo(502);
    assertThat(r.value("x-salve-error")).as(name).isEqualTo(expectedError);
    assertThat(r.value("x-folded")).isNull();
    List<RawUpstream.Received> bad = upstream.received();
    assertThat(bad).as("%s: requests upstream", name).hasSize(1);
    RawUpstream.Conn badConn = upstream.connection(bad.get(0).connection());
    assertThat(upstream.accepts()).as("%s: the request went on a new connection", name).isEqualTo(acceptsBefore + 1);
    if (!upstreamCloses) {
      assertThat(badConn.awaitClosedByPeer(Duration.ofSeconds(5)))
          .as("%s: salve closed the upstream connection that sent it", name)
          .isTrue();
    }

    upstream.reset();
    RawClient.Response next =
        RawClient.send(salve.port("strict"), "GET /resp/next HTTP/1.1\r\n" + HOST + "\r\n", false);
    assertThat(next.status()).as("%s: next request", name).isEqualTo(200);
    List<RawUpstream.Received> after = upstream.received();
    assertThat(after).hasSize(1);
    assertThat(after.get(0).connection()).as("%s: next request not on the bad connection", name).isNotEqualTo(badConn.id());
    assertThat(upstream.accepts()).as("%s: next request opened a new connection", name).isEqualTo(acceptsBefore + 2);
  }

  // ---------------------------------------------------------------------------------------------
  // X-Forwarded-* and trusted proxies

  private static final String FORWARDED_REQUEST =
      "GET /xff HTTP/1.1\r\n" + HOST
          + "X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\n"
          + "X-Forwarded-Prefix: /evil\r\nForwarded: for=1.2.3.4;proto=https\r\nX-Real-IP: 1.2.3.4\r\n\r\n";

  @Test
  void untrustedPeerHasXffAppendedAndItsOtherForwardingFieldsReplacedOrDropped() throws Exception {
    upstream.reset();
    RawClient.Response r = RawClient.send(salve.port("strict"), FORWARDED_REQUEST, false);

    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received up = upstream.received().get(0);
    assertThat(up.value("x-forwarded-for")).isEqualTo("1.2.3.4, 127.0.0.1");
    assertThat(up.value("x-forwarded-proto")).isEqualTo("http");
    assertThat(up.value("x-forwarded-host")).isEqualTo("corpus.test");
    assertThat(up.values("x-forwarded-prefix")).isEmpty();
    assertThat(up.values("forwarded")).isEmpty();
    assertThat(up.values("x-real-ip")).isEmpty();
  }

  @Test
  void trustedPeerKeepsItsForwardingFieldsWithSalvesAppended() throws Exception {
    upstream.reset();
    RawClient.Response r = RawClient.send(salve.port("trusting"), FORWARDED_REQUEST, false);

    assertThat(r.status()).isEqualTo(200);
    RawUpstream.Received up = upstream.received().get(0);
    assertThat(up.value("x-forwarded-for")).isEqualTo("1.2.3.4, 127.0.0.1");
    assertThat(up.value("x-forwarded-proto")).isEqualTo("https, http");
    assertThat(up.value("x-forwarded-host")).isEqualTo("evil.test, corpus.test");
    assertThat(up.value("x-forwarded-prefix")).isEqualTo("/evil");
    assertThat(up.value("forwarded")).isEqualTo("for=1.2.3.4;proto=https");
    assertThat(up.value("x-real-ip")).isEqualTo("1.2.3.4");
  }

  @Test
  void repeatedXffLinesAreJoinedBeforeAppending() throws Exception {
    upstream.reset();
    RawClient.Response r =
        RawClient.send(
            salve.port("strict"),
            "GET /xff2 HTTP/1.1\r\n" + HOST + "X-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\n\r\n",
            false);

    assertThat(r.status()).isEqualTo(200);
    assertThat(upstream.received().get(0).value("x-forwarded-for")).isEqualTo("1.1.1.1, 2.2.2.2, 127.0.0.1");
  }
}
