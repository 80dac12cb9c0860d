package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples users copy from must stay valid: the full example in docs/configuration.md, which is
 * examples/full.yaml word for word, and every other file in examples/.
 */
class DocumentationExampleTest {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).resolve("..").normalize();
  private static final Map<String, String> POD_ENV = Map.of("POD_NAME", "p-0", "POD_IP", "127.0.0.1");

  private static String fullExampleInDocs() throws IOException {
    String text = Files.readString(REPO.resolve("docs/configuration.md"));
    int section = text.indexOf("## Full example");
    int start = text.indexOf("```yaml\n", section) + "```yaml\n".length();
    return text.substring(start, text.indexOf("```", start));
  }

  @Test
  void fullExample_loads() throws IOException {
    SalveConfig config = ConfigTesting.load(fullExampleInDocs(), Map.of("POD_NAME", "p-0"));

    assertThat(config.coordination().identity()).isEqualTo("p-0");
    assertThat(config.listeners().get(0).limits().maxRequestBody()).isEqualTo(10L << 20);
    assertThat(config.listeners().get(1).routes().get(0).retry().retryOn().statuses())
        .containsExactlyInAnyOrder(502, 503, 504);
    assertThat(config.admin().probes().address()).isEqualTo(new HostPort("0.0.0.0", 15021));
  }

  @Test
  void fullExampleInTheDocs_isExamplesFullYaml() throws IOException {
    assertThat(fullExampleInDocs()).isEqualTo(Files.readString(REPO.resolve("examples/full.yaml")));
  }

  @Test
  void everyExampleFile_loads() throws IOException {
    List<Path> examples;
    try (Stream<Path> files = Files.list(REPO.resolve("examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples).extracting(f -> f.getFileName().toString()).contains("demo.yaml", "full.yaml");
    for (Path example : examples) {
      try {
        new ConfigLoader(POD_ENV).load(example);
      } catch (ConfigException e) {
        throw new AssertionError(example + " must load, but:\n" + String.join("\n",
            e.errors().stream().map(ConfigError::toString).toList()));
      }
    }
  }
}
