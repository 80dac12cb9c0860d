/**
 * A deliberately badly layered miniature of salve, test-only: {@code LayeringFixtureTest} runs
 * salve's layering rules on it and asserts that each one fails. server and forward import each other
 * (a cycle), resilience imports a Netty channel, shed an event executor, health imports an admin route and Netty's HTTP types,
 * forward imports the composition root and reads the system clock, and health names a Micrometer meter.
 */
package io.salve.archfixture;
