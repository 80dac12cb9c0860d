package io.salve.archfixture.admin;

/** An admin route, which health wrongly implements. */
public interface FixtureRoute {
  String path();
}
