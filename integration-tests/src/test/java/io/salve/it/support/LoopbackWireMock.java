package io.salve.it.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;

/** WireMock upstreams on 127.0.0.1 and a free port, and the teardown of a salve with its upstreams. */
public final class LoopbackWireMock {
  private LoopbackWireMock() {}

  /** @return a started WireMock with enough threads for the slow stubs a test holds open at once. */
  public static WireMockServer start() {
    WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(24));
    server.start();
    return server;
  }

  /** Stops salve (asserting a clean exit without leaks), then every upstream, whatever fails first. */
  public static void stopAll(SalveProcess salve, WireMockServer... upstreams) throws Exception {
    try {
      if (salve != null) {
        salve.close();
      }
    } finally {
      for (WireMockServer upstream : upstreams) {
        if (upstream != null) {
          upstream.stop();
        }
      }
    }
  }
}
