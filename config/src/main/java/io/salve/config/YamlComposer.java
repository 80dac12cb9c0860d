package io.salve.config;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.ReaderException;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Composes YAML text into a node tree (positions kept, nothing constructed) and turns every YAML
 * failure into a positioned problem.
 */
final class YamlComposer {
  /** Aliases to collections are few in a hand-written file; a bound stops "billion laughs". */
  static final int MAX_ALIASES = 50;

  private YamlComposer() {}

  /**
   * @return the document's root node, or null when the document is empty or is not valid YAML (then
   *     a problem has been added)
   */
  static Node compose(String yaml, Problems problems) {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_ALIASES);
    options.setAllowRecursiveKeys(false);
    MarkTrackingParser parser = new MarkTrackingParser(new ParserImpl(new StreamReader(yaml), options));
    try {
      return new Composer(parser, new Resolver(), options).getSingleNode();
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      String context = e.getContext() == null ? "" : e.getContext() + ", ";
      problems.add(mark, oneLine("invalid YAML: " + context + e.getProblem()));
    } catch (ReaderException e) {
      problems.add(markAt(yaml, e.getPosition()),
          String.format("invalid YAML: special character U+%04X is not allowed", e.getCodePoint()));
    } catch (YAMLException e) {
      // Limits (aliases, nesting, size) fail without a position: report where parsing had got to.
      problems.add(parser.lastMark, oneLine("invalid YAML: " + e.getMessage()));
    }
    return null;
  }

  /** @return the position of the code point at {@code position}, counted from the start of the text. */
  private static Mark markAt(String text, int position) {
    int index = text.offsetByCodePoints(0, Math.min(position, text.codePointCount(0, text.length())));
    int lineStart = text.lastIndexOf('\n', index - 1) + 1;
    int line = (int) text.substring(0, lineStart).chars().filter(c -> c == '\n').count();
    return new Mark("", index, line, text.codePointCount(lineStart, index), new int[0], 0);
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*\\R\\s*", " ").trim();
  }

  /** Remembers the position of the last event handed to the composer. */
  private static final class MarkTrackingParser implements Parser {
    private final Parser delegate;
    private Mark lastMark;

    MarkTrackingParser(Parser delegate) {
      this.delegate = delegate;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
      return delegate.checkEvent(choice);
    }

    @Override
    public Event peekEvent() {
      return track(delegate.peekEvent());
    }

    @Override
    public Event getEvent() {
      return track(delegate.getEvent());
    }

    private Event track(Event event) {
      if (event != null) {
        lastMark = event.getStartMark();
      }
      return event;
    }
  }
}
