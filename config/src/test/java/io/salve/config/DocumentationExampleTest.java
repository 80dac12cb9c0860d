package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The full example in docs/configuration.md must stay a valid configuration. */
class DocumentationExampleTest {
  @Test
  void fullExample_loads() throws IOException {
    Path doc = Path.of(System.getProperty("user.dir")).resolve("../docs/configuration.md");
    String text = Files.readString(doc);
    int section = text.indexOf("## Full example");
    int start = text.indexOf("```yaml\n", section) + "```yaml\n".length();
    String yaml = text.substring(start, text.indexOf("```", start));

    SalveConfig config = ConfigTesting.load(yaml, Map.of("POD_NAME", "p-0"));

    assertThat(config.coordination().identity()).isEqualTo("p-0");
    assertThat(config.listeners().get(0).limits().maxRequestBody()).isEqualTo(10L << 20);
    assertThat(config.listeners().get(1).routes().get(0).retry().retryOn().statuses())
        .containsExactlyInAnyOrder(502, 503, 504);
  }
}
