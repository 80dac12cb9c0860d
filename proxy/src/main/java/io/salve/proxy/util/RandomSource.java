package io.salve.proxy.util;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Where decisions get their randomness (endpoint choice, retry jitter, request ids). Production
 * uses the calling thread's generator, which needs no lock; tests pass a seeded one.
 */
@FunctionalInterface
public interface RandomSource {
  /** @return a generator for use on the calling thread, right now (not to be kept). */
  RandomGenerator current();

  /** @return the calling thread's {@link ThreadLocalRandom}. */
  static RandomSource threadLocal() {
    return ThreadLocalRandom::current;
  }

  /** @return a source that always answers {@code random} (a seeded generator, for tests). */
  static RandomSource of(RandomGenerator random) {
    return () -> random;
  }
}
