package io.salve.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documentation a user reads in a clone (README.md, docs/, bench/, examples/) points only at files
 * in the repository: every relative link resolves to a file inside it, and no text names a place
 * beside or outside the clone.
 */
class DocumentationLinksTest {
  private static final Path REPO = Path.of(System.getProperty("user.dir")).resolve("..").normalize();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern OUTSIDE = Pattern.compile("(?<![\\w.])(shared/contract|/work/|\\.\\./\\.\\./)");

  private static List<Path> documents() throws IOException {
    List<Path> docs = new ArrayList<>(List.of(REPO.resolve("README.md")));
    for (String dir : List.of("docs", "bench", "examples")) {
      try (Stream<Path> files = Files.walk(REPO.resolve(dir))) {
        files.filter(f -> f.toString().matches(".*\\.(md|yaml|yml|sh)$"))
            .filter(f -> !f.toString().contains("/target/"))
            .sorted()
            .forEach(docs::add);
      }
    }
    return docs;
  }

  @Test
  void relativeLinks_resolveToFilesInTheRepository() throws IOException {
    List<String> broken = new ArrayList<>();
    for (Path doc : documents()) {
      if (!doc.toString().endsWith(".md")) {
        continue;
      }
      Matcher m = LINK.matcher(Files.readString(doc));
      while (m.find()) {
        String target = m.group(1);
        if (target.startsWith("#") || target.matches("[a-z]+:.*")) {
          continue; // an anchor in the page, or a URL
        }
        Path resolved = doc.getParent().resolve(target.replaceFirst("#.*", "")).normalize();
        if (!resolved.startsWith(REPO) || !Files.exists(resolved)) {
          broken.add(REPO.relativize(doc) + " -> " + target);
        }
      }
    }
    assertThat(broken).as("links that leave the repository or lead nowhere").isEmpty();
  }

  @Test
  void noDocumentNamesAPlaceOutsideTheRepository() throws IOException {
    List<String> found = new ArrayList<>();
    for (Path doc : documents()) {
      List<String> lines = Files.readAllLines(doc);
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = OUTSIDE.matcher(lines.get(i));
        if (m.find()) {
          found.add(REPO.relativize(doc) + ":" + (i + 1) + ": " + m.group(1));
        }
      }
    }
    assertThat(found).as("references to places outside the repository").isEmpty();
  }
}
