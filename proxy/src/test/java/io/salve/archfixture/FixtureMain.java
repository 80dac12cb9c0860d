package io.salve.archfixture;

/** The fixture's composition root; {@code forward.FixtureReceiver} wrongly depends on it. */
public final class FixtureMain {
  private FixtureMain() {}

  /** Not a constant: javac would inline one, and the dependency would vanish from the bytecode. */
  public static String name() {
    return "fixture";
  }
}
