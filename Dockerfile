# salve's container image. Two stages:
#   build    on BUILD_BASE (a JDK 17+): builds salve with the Maven Wrapper, or takes a jar built
#            outside (SALVE_JAR), and jlinks a Java runtime of only the modules salve needs when the
#            JDK can (jmods, or a JDK 24+ linkable runtime);
#   runtime  on RUNTIME_BASE (any glibc Linux with /bin/sh and bash): that runtime (or the base's own
#            java when jlink could not run), the jar, the JVM flags, a numeric non-root user, and an
#            AppCDS archive made by a training run (container/train-cds).
#
#   docker build -t salve .                                      # builds the jar inside (needs network)
#   docker build -t salve --build-arg SALVE_JAR=proxy/target/salve.jar .   # jar built outside (offline)
#   docker build -t salve --build-arg BUILD_BASE=my-jdk --build-arg RUNTIME_BASE=my-os ...
#
# Runs read-only: only /tmp is written (mount a tmpfs or emptyDir there). Ports are those of the mounted
# config; the conventional ones are EXPOSEd below. More: docs/container.md.
ARG BUILD_BASE=eclipse-temurin:17-jdk
ARG RUNTIME_BASE=debian:bookworm-slim

FROM ${BUILD_BASE} AS build
# A path inside the build context to a jar built outside (e.g. proxy/target/salve.jar); empty: build here.
ARG SALVE_JAR=
# Modules added to what jdeps finds (service providers are loaded reflectively and jdeps cannot see them).
ARG JLINK_EXTRA_MODULES=jdk.crypto.ec
WORKDIR /src
COPY . .
RUN ["/bin/sh", "container/assemble.sh"]

FROM ${RUNTIME_BASE} AS runtime
ARG SALVE_UID=10001
COPY --from=build /out/salve /opt/salve
# /opt/salve/java is the jlinked runtime, or a link to the base's java; the build fails here if neither.
RUN set -eu; \
    if [ ! -x /opt/salve/java/bin/java ]; then \
      base_java=$(readlink -f "$(command -v java)") || { echo "RUNTIME_BASE has no java and BUILD_BASE could not jlink one" >&2; exit 1; }; \
      mkdir -p /opt/salve/java/bin; ln -s "$base_java" /opt/salve/java/bin/java; \
    fi; \
    /opt/salve/java/bin/java -version; \
    echo "salve:x:${SALVE_UID}:${SALVE_UID}:salve:/tmp:/usr/sbin/nologin" >> /etc/passwd; \
    echo "salve:x:${SALVE_UID}:" >> /etc/group; \
    mkdir -p /etc/salve
ENV JAVA_HOME=/opt/salve/java \
    SALVE_HEALTHCHECK_ADDRESS=127.0.0.1:9901 \
    SALVE_CDS_ARCHIVE=/opt/salve/salve.jsa
# An AppCDS archive of the classes salve loads, made by one training run on loopback here (with the
# runtime, jar path and flags the container uses, as CDS requires): starts take about a third less time.
RUN ["/opt/salve/bin/train-cds"]
# Numeric, so runAsNonRoot can verify it without a passwd lookup.
USER ${SALVE_UID}:${SALVE_UID}
WORKDIR /tmp
# Conventional ports (the config decides): 15000 ingress, 15001 egress (loopback), 15021 probes and
# metrics (admin.probes.address); the admin API 9901 stays on loopback and is not exposed.
EXPOSE 15000 15001 15021
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/opt/salve/bin/healthcheck"]
ENTRYPOINT ["/opt/salve/bin/salve", "--config", "/etc/salve/salve.yaml"]
