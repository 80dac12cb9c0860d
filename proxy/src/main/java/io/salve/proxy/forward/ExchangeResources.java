package io.salve.proxy.forward;

import io.salve.proxy.resilience.ConcurrencyLimit;
import io.salve.proxy.upstream.Endpoint;
import io.salve.proxy.upstream.UpstreamStream;

/**
 * Everything one exchange holds that someone else counts, and the only code that gives it back:
 * the upstream's bulkhead slot and the shedder's permit (for the whole exchange), the breaker permit
 * (through the {@link AttemptLedger}), the endpoint's in-flight count and the stream (per attempt),
 * and the replay buffer. Each is released exactly once, whatever order failures arrive in: every
 * release clears what it releases, so a second call finds nothing to do.
 */
final class ExchangeResources {
  private final ConcurrencyLimit bulkhead;
  private final AdmissionControl.Permit admission;
  private final AttemptLedger ledger;
  private final ReplayBuffer replay;
  private boolean bulkheadHeld;
  private boolean closed;
  private Endpoint inFlight;
  private UpstreamStream stream;

  /** @param replay the body kept for retries, or null */
  ExchangeResources(ConcurrencyLimit bulkhead, AdmissionControl.Permit admission, AttemptLedger ledger, ReplayBuffer replay) {
    this.bulkhead = bulkhead;
    this.admission = admission;
    this.ledger = ledger;
    this.replay = replay;
  }

  /** @return whether the upstream's bulkhead had a slot, now held until {@link #close}. */
  boolean acquireBulkhead() {
    bulkheadHeld = bulkhead.tryAcquire();
    return bulkheadHeld;
  }

  AttemptLedger ledger() {
    return ledger;
  }

  /** @return the body kept for a retry, or null when no retry can replay one. */
  ReplayBuffer replay() {
    return replay;
  }

  /** An attempt starts on {@code endpoint}: counted in its in-flight requests until released. */
  void beginAttempt(Endpoint endpoint) {
    releaseAttempt(false);
    endpoint.inFlight().incrementAndGet();
    inFlight = endpoint;
  }

  /** @return whether an attempt is under way (its endpoint counts it in flight). */
  boolean attemptHeld() {
    return inFlight != null;
  }

  /** The current attempt got its stream; it is given back with the attempt. */
  void holdStream(UpstreamStream s) {
    stream = s;
  }

  /** @return the current attempt's stream, or null while none is connected. */
  UpstreamStream stream() {
    return stream;
  }

  /** Pauses ({@code false}) or resumes reading the current stream's response, if one is held. */
  void readResponse(boolean read) {
    if (stream != null) {
      stream.setAutoRead(read);
    }
  }

  /**
   * Ends the current attempt's hold: the in-flight count, and the stream, which is reused only if
   * {@code reusable} (otherwise closed: its state is unknown). Its response reading is resumed first,
   * so a paused connection never goes back to the pool paused.
   */
  void releaseAttempt(boolean reusable) {
    if (inFlight != null) {
      Endpoint e = inFlight;
      inFlight = null;
      e.inFlight().decrementAndGet();
    }
    if (stream != null) {
      UpstreamStream s = stream;
      stream = null;
      s.setAutoRead(true);
      s.release(reusable);
    }
  }

  /**
   * Ends the current attempt's hold without giving its stream back: an upgraded connection leaves
   * the pool for a tunnel.
   */
  UpstreamStream detachStream() {
    UpstreamStream s = stream;
    stream = null;
    releaseAttempt(false);
    return s;
  }

  /** @return whether {@link #close} has run. */
  boolean isClosed() {
    return closed;
  }

  /**
   * Releases everything still held, once: later calls return false and do nothing.
   *
   * @param status the status the client got (for the shedder's latency and error signals)
   * @return whether this call released (the first one)
   */
  boolean close(int status, long durationNanos) {
    if (closed) {
      return false;
    }
    closed = true;
    releaseAttempt(false);
    ledger.release();
    if (replay != null) {
      replay.release();
    }
    if (bulkheadHeld) {
      bulkheadHeld = false;
      bulkhead.release();
    }
    admission.release(status, durationNanos);
    return true;
  }
}
