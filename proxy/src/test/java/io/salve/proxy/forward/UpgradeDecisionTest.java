package io.salve.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.salve.proxy.forward.UpgradeDecision.Verdict;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpgradeDecisionTest {
  private static HttpHeaders headers(String... nameValues) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < nameValues.length; i += 2) {
      h.add(nameValues[i], nameValues[i + 1]);
    }
    return h;
  }

  private static UpgradeDecision decide(HttpMethod method, boolean body, HttpHeaders h) {
    return UpgradeDecision.decide(method, h, body, UpgradeDecision.DEFAULT_TOKENS);
  }

  @Test
  void noUpgradeFieldIsAnOrdinaryRequest() {
    assertThat(decide(HttpMethod.GET, false, headers("Connection", "keep-alive")).verdict())
        .isEqualTo(Verdict.NONE);
    assertThat(decide(HttpMethod.GET, false, headers("Upgrade", ",")).verdict())
        .isEqualTo(Verdict.NONE);
  }

  @Test
  void webSocketGetWithConnectionUpgradeIsUpgradedByDefault() {
    UpgradeDecision d =
        decide(HttpMethod.GET, false, headers("Connection", "keep-alive, Upgrade", "Upgrade", "WebSocket"));

    assertThat(d.verdict()).isEqualTo(Verdict.UPGRADE);
    assertThat(d.token()).isEqualTo("websocket");
    assertThat(d.upgrades()).isTrue();
  }

  @Test
  void anOfferedListPicksTheFirstAllowedToken() {
    UpgradeDecision d =
        decide(HttpMethod.GET, false, headers("Connection", "upgrade", "Upgrade", "h2c, websocket/13"));

    assertThat(d.verdict()).isEqualTo(Verdict.UPGRADE);
    assertThat(d.token()).isEqualTo("websocket");
  }

  @Test
  void tokensTheRouteDoesNotListAreRefusedAndNamed() {
    UpgradeDecision d = decide(HttpMethod.GET, false, headers("Connection", "upgrade", "Upgrade", "h2c"));

    assertThat(d.verdict()).isEqualTo(Verdict.REFUSED);
    assertThat(d.token()).isEqualTo("h2c");
  }

  @Test
  void aRouteMayListOtherTokensAndThenWebSocketIsNotImplied() {
    HttpHeaders h = headers("Connection", "upgrade", "Upgrade", "websocket");

    assertThat(UpgradeDecision.decide(HttpMethod.GET, h, false, Set.of("tcp")).verdict())
        .isEqualTo(Verdict.REFUSED);
    assertThat(
            UpgradeDecision.decide(
                    HttpMethod.GET, headers("Connection", "upgrade", "Upgrade", "TCP"), false, Set.of("tcp"))
                .verdict())
        .isEqualTo(Verdict.UPGRADE);
  }

  @Test
  void upgradeWithoutConnectionUpgradeIsRefused() {
    assertThat(decide(HttpMethod.GET, false, headers("Upgrade", "websocket")).verdict())
        .isEqualTo(Verdict.REFUSED);
  }

  @Test
  void onlyABodilessGetIsUpgraded() {
    HttpHeaders h = headers("Connection", "upgrade", "Upgrade", "websocket");

    assertThat(decide(HttpMethod.POST, false, h).verdict()).isEqualTo(Verdict.REFUSED);
    assertThat(decide(HttpMethod.GET, true, h).verdict()).isEqualTo(Verdict.REFUSED);
  }
}
