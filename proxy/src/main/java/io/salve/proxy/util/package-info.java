/**
 * The smallest shared vocabulary: the monotonic {@link io.salve.proxy.util.Ticker} every decision
 * reads time from (tests inject a fake one), the {@link io.salve.proxy.util.RandomSource}
 * forward/ draws from (tests inject a seeded one), and JSON string escaping.
 *
 * <p>May import: the JDK only. Everything may import it.
 */
package io.salve.proxy.util;
