package io.salve.proxy.coord;

/** Observes whether etcd answers. Called on the coordination thread, once per change. */
@FunctionalInterface
public interface ConnectivityListener {
  /** @param up whether the last call to etcd succeeded */
  void onEtcdConnectivity(boolean up);
}
