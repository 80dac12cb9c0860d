package io.salve.it.support;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format (0.0.4) that collects every way a scrape
 * is malformed instead of stopping at the first: sample lines that do not parse, samples whose
 * family has no {@code # TYPE} before them, families without {@code # HELP}, a family's samples not
 * in one group, suffixes that do not fit the type ({@code _bucket} outside a histogram...), and
 * histograms whose buckets are not cumulative or whose {@code +Inf} bucket differs from {@code _count}.
 */
public final class PrometheusText {
  /** One sample line. */
  public record Sample(String name, String family, Map<String, String> labels, double value) {}

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern SAMPLE =
      Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})?[ \\t]+(\\S+)(?:[ \\t]+-?\\d+)?");
  private static final Pattern LABEL = Pattern.compile("\\s*([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\[\\\\\"n])*)\"\\s*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  private final Map<String, String> types = new LinkedHashMap<>();
  private final Set<String> helps = new HashSet<>();
  private final List<Sample> samples = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();

  private PrometheusText() {}

  public static PrometheusText parse(String text) {
    PrometheusText p = new PrometheusText();
    p.read(text);
    p.checkHelp();
    p.checkHistograms();
    return p;
  }

  /** @return every problem found; empty for a well-formed scrape. */
  public List<String> problems() {
    return problems;
  }

  public List<Sample> samples() {
    return samples;
  }

  /** @return the samples named exactly {@code name}. */
  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** @return the declared type of a family, or null. */
  public String type(String family) {
    return types.get(family);
  }

  /**
   * @return the sum of the values of the samples named {@code name} whose labels include all of
   *     {@code labels}; 0 when there are none
   */
  public double sum(String name, Map<String, String> labels) {
    double total = 0;
    for (Sample s : samples(name)) {
      if (s.labels().entrySet().containsAll(labels.entrySet())) {
        total += s.value();
      }
    }
    return total;
  }

  private void read(String text) {
    Set<String> closedFamilies = new HashSet<>();
    String currentFamily = null;
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split("[ \\t]+", 4);
        if (parts.length >= 3 && (parts[1].equals("HELP") || parts[1].equals("TYPE"))) {
          String family = parts[2];
          if (!NAME.matcher(family).matches()) {
            problems.add(lineNo + ": invalid metric name in " + line);
          } else if (parts[1].equals("HELP")) {
            if (!helps.add(family)) {
              problems.add(lineNo + ": second HELP for " + family);
            }
          } else {
            String type = parts.length > 3 ? parts[3].trim() : "";
            if (!TYPES.contains(type)) {
              problems.add(lineNo + ": unknown type '" + type + "' for " + family);
            }
            if (types.put(family, type) != null) {
              problems.add(lineNo + ": second TYPE for " + family);
            }
          }
        }
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches()) {
        problems.add(lineNo + ": not a sample line: " + line);
        continue;
      }
      String name = m.group(1);
      Map<String, String> labels = labels(m.group(2), lineNo, line);
      Double value = value(m.group(3));
      if (value == null) {
        problems.add(lineNo + ": not a number: " + line);
        continue;
      }
      String family = familyOf(name);
      if (family == null) {
        problems.add(lineNo + ": no # TYPE (before it) for the family of " + name);
        family = name;
      }
      if (!family.equals(currentFamily)) {
        if (currentFamily != null) {
          closedFamilies.add(currentFamily);
        }
        if (closedFamilies.contains(family)) {
          problems.add(lineNo + ": samples of " + family + " are not in one group");
        }
        currentFamily = family;
      }
      samples.add(new Sample(name, family, labels, value));
    }
  }

  /** @return the family a sample name belongs to, given the TYPEs seen so far, or null. */
  private String familyOf(String name) {
    if (types.containsKey(name)) {
      return name;
    }
    String[][] suffixes = {
      {"_bucket", "histogram"}, {"_count", "histogram summary"}, {"_sum", "histogram summary"},
      {"_created", "counter histogram summary"}, {"_total", "counter"}
    };
    for (String[] s : suffixes) {
      if (name.endsWith(s[0])) {
        String family = name.substring(0, name.length() - s[0].length());
        String type = types.get(family);
        if (type != null && List.of(s[1].split(" ")).contains(type)) {
          return family;
        }
      }
    }
    return null;
  }

  private Map<String, String> labels(String body, int lineNo, String line) {
    Map<String, String> labels = new TreeMap<>();
    if (body == null || body.isBlank()) {
      return labels;
    }
    // Split on commas outside quoted values.
    List<String> pairs = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == '\\' && quoted && i + 1 < body.length()) {
        cur.append(c).append(body.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        pairs.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      problems.add(lineNo + ": unterminated label value: " + line);
    }
    if (!cur.toString().isBlank()) {
      pairs.add(cur.toString());
    }
    for (String pair : pairs) {
      Matcher m = LABEL.matcher(pair);
      if (!m.matches()) {
        problems.add(lineNo + ": malformed label '" + pair + "' in " + line);
      } else if (labels.put(m.group(1), m.group(2)) != null) {
        problems.add(lineNo + ": duplicate label " + m.group(1) + " in " + line);
      }
    }
    return labels;
  }

  private static Double value(String s) {
    switch (s) {
      case "+Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      case "NaN":
        return Double.NaN;
      default:
        try {
          return Double.parseDouble(s);
        } catch (NumberFormatException e) {
          return null;
        }
    }
  }

  private void checkHelp() {
    for (String family : types.keySet()) {
      if (!helps.contains(family)) {
        problems.add("no # HELP for " + family);
      }
    }
  }

  private void checkHistograms() {
    for (Map.Entry<String, String> t : types.entrySet()) {
      if (!t.getValue().equals("histogram")) {
        continue;
      }
      String family = t.getKey();
      Map<Map<String, String>, TreeMap<Double, Double>> buckets = new HashMap<>();
      Map<Map<String, String>, Double> counts = new HashMap<>();
      Set<Map<String, String>> sums = new HashSet<>();
      for (Sample s : samples) {
        if (!s.family().equals(family)) {
          continue;
        }
        Map<String, String> series = new TreeMap<>(s.labels());
        if (s.name().equals(family + "_bucket")) {
          String le = series.remove("le");
          Double bound = le == null ? null : value(le);
          if (bound == null) {
            problems.add(family + ": bucket without a numeric le: " + s);
            continue;
          }
          buckets.computeIfAbsent(series, k -> new TreeMap<>()).put(bound, s.value());
        } else if (s.name().equals(family + "_count")) {
          counts.put(series, s.value());
        } else if (s.name().equals(family + "_sum")) {
          sums.add(series);
        }
      }
      if (buckets.isEmpty()) {
        problems.add(family + ": histogram without buckets");
      }
      buckets.forEach(
          (series, byBound) -> {
            double previous = 0;
            for (double count : byBound.values()) {
              if (count < previous) {
                problems.add(family + series + ": buckets are not cumulative: " + byBound);
                break;
              }
              previous = count;
            }
            Double inf = byBound.get(Double.POSITIVE_INFINITY);
            if (inf == null) {
              problems.add(family + series + ": no le=\"+Inf\" bucket");
            } else if (!inf.equals(counts.get(series))) {
              problems.add(family + series + ": +Inf bucket " + inf + " differs from _count " + counts.get(series));
            }
            if (!sums.contains(series)) {
              problems.add(family + series + ": no _sum");
            }
          });
    }
  }
}
