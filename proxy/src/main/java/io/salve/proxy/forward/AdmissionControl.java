package io.salve.proxy.forward;

import io.salve.proxy.route.Route;

/**
 * Decides, before anything is sent upstream, whether a routed request may proceed or is shed.
 * Implementations are cheap and non-blocking; the refusal (503, Retry-After, {@code x-salve-error:
 * shed}) is produced by the forwarding code.
 */
public interface AdmissionControl {
  /** @return a permit to release when the request ends, or null to shed the request now */
  Permit tryAdmit(String listener, Route route);

  /** @return the Retry-After, in seconds, sent with shed responses. */
  long retryAfterSeconds();

  /** Held by an admitted request until it ends. */
  interface Permit {
    /**
     * @param status the status sent to the client (499 when it went away)
     * @param durationNanos time from admission to the end
     */
    void release(int status, long durationNanos);
  }

  /** Admits everything. */
  AdmissionControl ALLOW_ALL =
      new AdmissionControl() {
        private final Permit noop = (status, durationNanos) -> {};

        @Override
        public Permit tryAdmit(String listener, Route route) {
          return noop;
        }

        @Override
        public long retryAfterSeconds() {
          return 0;
        }
      };
}
