package io.salve.proxy.coord;

import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets salve's own backoff decide when to reconnect to etcd. gRPC backs off reconnects up to two
 * minutes, so an etcd that was down for a while would be noticed late after it returns; {@link
 * ManagedChannel#resetConnectBackoff()} makes the next call reconnect at once. jetcd does not
 * expose its channel, so it is read reflectively from the pinned jetcd version's internals; if that
 * ever fails (another version), salve falls back to gRPC's own backoff and says so once.
 */
final class ChannelBackoffReset {
  private static final Logger LOG = LoggerFactory.getLogger(ChannelBackoffReset.class);
  private final Client client;
  private boolean broken;

  ChannelBackoffReset(Client client) {
    this.client = client;
  }

  /** Asks gRPC to reconnect now instead of after its backoff. */
  void reset() {
    if (broken) {
      return;
    }
    try {
      Field f = client.getClass().getDeclaredField("connectionManager");
      f.setAccessible(true);
      Object manager = f.get(client);
      Method getChannel = manager.getClass().getDeclaredMethod("getChannel");
      getChannel.setAccessible(true);
      ((ManagedChannel) getChannel.invoke(manager)).resetConnectBackoff();
    } catch (ReflectiveOperationException | RuntimeException e) {
      broken = true;
      LOG.info("coordination: cannot shorten gRPC's reconnect backoff ({}); reconnects follow gRPC's own", e.toString());
    }
  }
}
