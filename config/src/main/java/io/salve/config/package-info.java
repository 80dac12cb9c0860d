/**
 * salve's configuration: YAML in, immutable validated records out. No Netty here.
 *
 * <p>{@link io.salve.config.ConfigLoader} composes the YAML into a node tree with SnakeYAML (so every
 * value keeps its line and column), expands {@code ${NAME}} and {@code ${NAME:-default}} in each
 * scalar, binds the tree section by section into {@link io.salve.config.SalveConfig} and reports
 * every problem at once as a {@link io.salve.config.ConfigException}, each problem positioned as
 * {@code file:line:column} and worded {@code path: value (expected: ...)}.
 *
 * <p>Values are non-null unless a component's Javadoc says "or null". The package-private classes
 * are the loader's parts: {@code YamlComposer} (YAML to nodes), {@code Nodes} and {@code Section}
 * (typed reads, unknown and duplicate keys), the value parsers {@code Durations}, {@code Sizes},
 * {@code Addresses}, {@code Outcomes} and {@code EnvSubstitution}, and one binder per section.
 * The key reference is {@code docs/configuration.md}.
 *
 * <p>May import: SnakeYAML and the JDK. Never Netty or any {@code io.salve.proxy} package (enforced
 * by proxy/'s {@code LayeringTest}): configuration is checked with {@code --check-config} without
 * starting anything.
 */
package io.salve.config;
