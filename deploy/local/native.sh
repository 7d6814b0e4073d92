#!/usr/bin/env bash
# Builds the services as GraalVM native executables on this machine, and runs each service's integration tests
# (*IT) against its executable.
#
#   deploy/local/native.sh verify [service...]   build, then run the service's *IT against the executable
#   deploy/local/native.sh build [service...]    build only (then: deploy/local/demo.sh --native)
#
# Services are ingest, transform, compaction, catalog (default: all four), built one after another: a build takes
# ~5 min and 6-8 GB on 2 cores. The executables are {service}-service/target/{service}-service-*-runner.
#
# No GraalVM distribution installs here, so the native-image kit assembles one from the builder jars on Maven
# Central, run on a JDK 25 (docs/native.md). Knobs (environment): MEDALLION_NATIVE_KIT (the kit's folder; default
# ../shared/native-image-kit beside the repository), GRAALVM_HOME (an existing GraalVM or Mandrel, which skips
# the kit; default ~/.cache/graalvm-from-maven/25.0.2, assembled on first use), MEDALLION_NATIVE_JDK (the JDK 25
# the builder runs on; default /usr/lib/jvm/temurin-25-jdk-amd64), MEDALLION_NATIVE_XMX (the builder's heap, 8g).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
KIT="${MEDALLION_NATIVE_KIT:-$ROOT/../shared/native-image-kit}"
JDK="${MEDALLION_NATIVE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}"
GRAALVM="${GRAALVM_HOME:-$HOME/.cache/graalvm-from-maven/25.0.2}"
ALL=(ingest transform compaction catalog)

die() {
  echo "native.sh: $*" >&2
  exit 1
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

command="${1:-}"
[[ "$command" == build || "$command" == verify ]] || die "usage: native.sh build|verify [ingest|transform|compaction|catalog ...]"
shift
services=("$@")
((${#services[@]})) || services=("${ALL[@]}")
for s in "${services[@]}"; do
  [[ " ${ALL[*]} " == *" $s "* ]] || die "unknown service '$s': expected one of ${ALL[*]}"
done

# The builder: an existing GraalVM, or one the kit assembles once into the cache.
if [[ ! -x "$GRAALVM/bin/native-image" ]]; then
  [[ -f "$KIT/setup-graalvm-from-maven.sh" ]] \
    || die "no native-image at $GRAALVM/bin and no kit at $KIT: set GRAALVM_HOME or MEDALLION_NATIVE_KIT"
  [[ -x "$JDK/bin/java" ]] || die "the kit needs a JDK 25 at $JDK: set MEDALLION_NATIVE_JDK"
  step "Assembling native-image from Maven Central into $GRAALVM (first use only)"
  JDK25="$JDK" bash "$KIT/setup-graalvm-from-maven.sh" "$GRAALVM"
fi
export GRAALVM_HOME="$GRAALVM"
# the builder runs on the JDK of GRAALVM_HOME; Maven and the tests run on it too (the code targets Java 17)
export JAVA_HOME="$GRAALVM"

modules=$(printf '%s-service,' "${services[@]}")
modules="${modules%,}"
native=(-B -Dnative -Dquarkus.native.container-build=false "-Dquarkus.native.native-image-xmx=${MEDALLION_NATIVE_XMX:-8g}")
cd "$ROOT"
# -am builds lake-core, service-support and api-support first; unit tests are skipped: the JVM build runs them (./mvnw verify)
if [[ "$command" == build ]]; then
  step "Building $modules natively"
  ./mvnw "${native[@]}" package -DskipTests -pl "$modules" -am
else
  step "Building $modules natively and running their integration tests against the executables"
  ./mvnw "${native[@]}" verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -pl "$modules" -am
fi
for s in "${services[@]}"; do
  ls -l "$ROOT/$s-service/target/"*-runner
done
