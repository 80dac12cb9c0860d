/**
 * The admin and probe HTTP servers and every route they serve: {@code /live}, {@code /ready},
 * {@code /metrics}, {@code /admin/config}, {@code /admin/state} ({@link
 * io.salve.proxy.admin.StandardRoutes}), {@code /admin/load-state} ({@link
 * io.salve.proxy.admin.LoadStateRoutes}), the lease routes ({@link io.salve.proxy.admin.LeaseRoutes})
 * and {@code /leader} ({@link io.salve.proxy.admin.LeaderRoutes}). Routes parse requests and write
 * answers; the state they show or change belongs to the concern behind them, reached through its
 * plain Java API. Handlers run on the admin server's own event loop, never a proxy loop.
 *
 * <p>May import: Netty, Jackson, config/, coord/, health/, reload/, shed/, transport/, util/. Never
 * metrics/ or Micrometer: {@code /metrics} is handed a scrape function.
 */
package io.salve.proxy.admin;
