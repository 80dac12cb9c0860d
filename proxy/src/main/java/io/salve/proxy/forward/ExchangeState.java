package io.salve.proxy.forward;

/**
 * Where one exchange is on the request's path. It moves forward only, except that a failed attempt
 * goes back to {@link #RETRY_PENDING} and from there to {@link #CONNECTING} while nothing of a
 * response has reached the client.
 *
 * <pre>
 *  NEW ─▶ CONNECTING ─▶ AWAITING_RESPONSE ─▶ RESPONDING ─▶ DONE
 *            ▲   │            │    ▲ │
 *            │   ▼            ▼    │ ▼
 *         RETRY_PENDING ◀─────┘  INFORMATIONAL          (any state ─▶ DONE)
 * </pre>
 */
enum ExchangeState {
  /** Created; the upstream's bulkhead has not been asked yet. */
  NEW,
  /** An attempt holds an endpoint and waits for its stream. */
  CONNECTING,
  /** An attempt holds a stream; the request goes up; no response head yet. */
  AWAITING_RESPONSE,
  /** A 1xx head went to the client; its end is awaited, then the final head. */
  INFORMATIONAL,
  /** An attempt failed and the next one is scheduled. */
  RETRY_PENDING,
  /** The final response head went to the client: from here on nothing is retried. */
  RESPONDING,
  /** Answered or abandoned; every resource is released. Events arriving now are dropped. */
  DONE;

  /** @return whether part of the final response reached the client (failures then close it). */
  boolean responseStarted() {
    return this == RESPONDING;
  }
}
