/**
 * The smallest shared vocabulary: the monotonic {@link io.salve.proxy.util.Ticker} every decision
 * reads time from (tests inject a fake one) and JSON string escaping.
 *
 * <p>May import: the JDK only. Everything may import it.
 */
package io.salve.proxy.util;
