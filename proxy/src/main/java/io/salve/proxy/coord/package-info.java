/**
 * Coordination through etcd (the {@code coordination} section): the etcd session ({@link
 * io.salve.proxy.coord.EtcdSession}: jetcd client, key namespace, connectivity), leader election,
 * self-registration ({@code EtcdRegistration}) and discovery ({@code EtcdDiscovery}, which feeds an
 * upstream through the {@link io.salve.proxy.upstream.EndpointSource} seam, so the upstream package
 * never depends on this one), and the state admin/ exposes ({@code GET /leader} reads {@link
 * io.salve.proxy.coord.Coordination#leaderBoard}; {@code /admin/state} reads {@code describe()}).
 *
 * <p>Class loading: {@link io.salve.proxy.coord.Coordination} is the only type the rest of salve
 * names, and it mentions no jetcd or gRPC type. Everything that does is reached only through {@link
 * io.salve.proxy.coord.Coordination#create}, which salve calls only when a {@code coordination}
 * section is configured, so a salve without one never loads an etcd or gRPC class.
 *
 * <p>Threading: every piece of coordination state is owned by one thread, the session's executor
 * ({@code salve-coord}). jetcd completes its futures on its own threads; callbacks hop to the
 * session executor before touching state. Admin handlers read immutable snapshots and never wait on
 * etcd. Nothing here ever runs on, or blocks, a Netty event loop.
 *
 * <p>May import: config/, upstream/, util/, jetcd and gRPC. Never admin/, metrics/ ({@link
 * io.salve.proxy.coord.CoordinationListener} is the metrics seam) or Netty.
 */
package io.salve.proxy.coord;
