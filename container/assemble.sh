#!/bin/sh
# Run by the Dockerfile's build stage (on BUILD_BASE, in a copy of the build context):
# lays out /out/salve, which the runtime stage copies to /opt/salve as is:
#   salve.jar      SALVE_JAR (a jar built outside), or built here with the Maven Wrapper
#   bin/           bin/salve, bin/jvm.flags + container/jvm.flags, the HEALTHCHECK script, train-cds
#   lib/           Netty's native transport, unpacked so it loads without writing or executing in /tmp
#   java/          a jlinked runtime of the modules salve uses, if BUILD_BASE's JDK can link one; else empty
set -eu
out=/out/salve
mkdir -p "$out/bin" "$out/lib" "$out/java"
if [ -n "${SALVE_JAR:-}" ]; then
  echo "assemble: using the prebuilt jar $SALVE_JAR"
  cp "$SALVE_JAR" "$out/salve.jar"
else
  echo "assemble: building salve with the Maven Wrapper (tests are run by ./mvnw verify, not here)"
  ./mvnw -B -q -DskipTests package
  cp proxy/target/salve.jar "$out/salve.jar"
fi
cp bin/salve container/healthcheck container/train-cds "$out/bin/"
{ cat bin/jvm.flags; cat container/jvm.flags; } > "$out/bin/jvm.flags"
chmod 0755 "$out/bin/salve" "$out/bin/healthcheck" "$out/bin/train-cds"

if command -v jar >/dev/null 2>&1; then
  (cd /tmp && jar xf "$out/salve.jar" META-INF/native && cp META-INF/native/*.so "$out/lib/")
else
  echo "assemble: no jar tool in BUILD_BASE; Netty unpacks its native transport into /tmp at start"
fi

# A JDK links a runtime from its jmods, or (JDK 24+ builds with a linkable runtime, such as Temurin 24+)
# from its own modules: try whenever jlink is there, and fall back to RUNTIME_BASE's java if it fails.
if command -v jlink >/dev/null 2>&1; then
  modules="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 "$out/salve.jar"),${JLINK_EXTRA_MODULES:-}"
  modules=${modules%,}
  # --compress=2 became --compress=zip-6 in JDK 21.
  compress=--compress=2
  [ "$(jlink --version | cut -d. -f1)" -ge 21 ] && compress=--compress=zip-6
  echo "assemble: jlink $modules"
  # --strip-java-debug-attributes rather than --strip-debug: the latter also strips native symbols,
  # which needs objcopy (binutils), absent from most JDK images.
  if jlink --add-modules "$modules" --output /tmp/jre --strip-java-debug-attributes --no-man-pages \
       --no-header-files "$compress" --generate-cds-archive; then
    rmdir "$out/java" && mv /tmp/jre "$out/java"
  else
    echo "assemble: jlink failed (no jmods?); the runtime stage uses RUNTIME_BASE's java"
    rm -rf /tmp/jre
  fi
else
  echo "assemble: no jlink in BUILD_BASE; the runtime stage uses RUNTIME_BASE's java"
fi
du -sh "$out" "$out"/*
