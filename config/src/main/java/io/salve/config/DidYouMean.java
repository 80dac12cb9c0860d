package io.salve.config;

import java.util.Collection;
import java.util.Locale;

/** Suggests the closest known name for a misspelt one. */
final class DidYouMean {
  /** Edits beyond this are not a typo but a different word. */
  private static final int MAX_DISTANCE = 2;

  private DidYouMean() {}

  /** @return the candidate closest to {@code word} within a few edits (ignoring case), or null. */
  static String suggest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = MAX_DISTANCE + 1;
    String lower = word.toLowerCase(Locale.ROOT);
    for (String candidate : candidates) {
      int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best;
  }

  /** Levenshtein distance with two rolling rows. */
  static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
