package io.salve.proxy.admin;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.salve.config.HostPort;
import io.salve.proxy.health.Lease;
import io.salve.proxy.health.LeaseRegistry;
import io.salve.proxy.health.LeaseRequest;
import io.salve.proxy.health.LeaseService;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The lease routes: {@code PUT} grants or renews and {@code DELETE} revokes a lease on {@code
 * /admin/upstreams/{upstream}/endpoints/{host:port}[?ttl=5s]}, through {@link LeaseService}.
 *
 * <p>They change routing state. They are served only on the admin address, which is loopback unless
 * {@code admin.allowNonLoopback} is set; they have no authentication of their own.
 */
public final class LeaseRoutes {
  private LeaseRoutes() {}

  /** @return the lease routes of {@code leases} */
  public static List<AdminRoute> of(LeaseService leases) {
    return List.of(new LeaseRoute(leases));
  }

  /** {@code PUT|DELETE /admin/upstreams/{upstream}/endpoints/{host:port}[?ttl=5s]}. */
  private static final class LeaseRoute implements AdminRoute {
    private final LeaseService leases;

    LeaseRoute(LeaseService leases) {
      this.leases = leases;
    }

    @Override
    public boolean matches(HttpMethod method, String path) {
      return (HttpMethod.PUT.equals(method) || HttpMethod.DELETE.equals(method))
          && path.startsWith(LeaseRequest.PREFIX)
          && LeaseRequest.target(path) != null;
    }

    @Override
    public AdminResponse handle(FullHttpRequest request, String path) {
      LeaseRequest.Target target = LeaseRequest.target(path);
      String name = target.upstream();
      if (!leases.hasUpstream(name)) {
        return AdminResponse.error(404, "unknown_upstream", "no upstream named '" + name + "'");
      }
      LeaseRegistry registry = leases.registry(name);
      if (registry == null) {
        return AdminResponse.error(
            404, "leases_not_enabled", "upstream '" + name + "' takes no leased endpoints (no leases section)");
      }
      HostPort endpoint = LeaseRequest.endpoint(target.endpoint());
      if (endpoint == null) {
        return AdminResponse.error(
            400, "bad_endpoint", "expected host:port or [v6]:port with a port 1-65535, got '" + target.endpoint() + "'");
      }
      String key = endpoint.toString();
      if (HttpMethod.DELETE.equals(request.method())) {
        if (!registry.revoke(key)) {
          return AdminResponse.error(404, "unknown_endpoint", "no active lease for " + key + " in '" + name + "'");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("upstream", name);
        body.put("endpoint", key);
        body.put("removed", true);
        return AdminResponse.json(200, body);
      }
      Duration ttl = null;
      List<String> ttlParam = new QueryStringDecoder(request.uri()).parameters().get("ttl");
      if (ttlParam != null && !ttlParam.isEmpty()) {
        String text = ttlParam.get(ttlParam.size() - 1); // the last one wins, like most servers
        ttl = LeaseRequest.ttl(text);
        if (ttl == null) {
          return AdminResponse.error(
              400, "bad_ttl", "ttl must be a positive duration like 500ms, 5s or 1m, got '" + text + "'");
        }
      }
      Lease lease = registry.grantOrRenew(key, ttl);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("upstream", name);
      body.put("endpoint", key);
      body.put("ttl", Duration.ofNanos(lease.ttlNanos()));
      body.put("expiresInMillis", Math.max(0L, TimeUnit.NANOSECONDS.toMillis(leases.remainingNanos(lease))));
      body.put("new", lease.isNew());
      return AdminResponse.json(200, body);
    }
  }
}
