#!/usr/bin/env bash
# Sustained load (issue 9): starts a local S3 + SQS stack and the four services of its own (own MEDALLION_HOME and
# ports, an empty lake), drives ingest at a target rate for a bounded time, and reports throughput, end-to-end latency
# (acknowledged -> queryable in Silver, p50/p90/p99/max), RSS over time against the memory limit, and an exact
# accounting of what Silver and Gold hold (DuckDB). Stops what it started; the lake is kept for inspection until the
# next run.
#
#   bench/load.sh [harness options]       e.g. bench/load.sh --duration 180 --rate 4000
#                                              bench/load.sh --duration 60 --rate 0 --producers 16
#
# Options of `Harness load` (defaults in brackets; all in docs/performance.md, "Sustained load"): --duration S [300],
# --rate R records/s over all producers [5000; 0 = each producer sends again as soon as it is answered],
# --producers N HTTP producers [8], --sqs-producers M [0], --records-per-request K [500], --records-per-message K
# [50], --poll-interval-ms [500], --sample-interval-ms [1000], --drain-timeout S [300], --rss-limit-mib L
# [heap / 0.7, as the deploy files' MaxRAMPercentage=70].
#
# Knobs (environment): MEDALLION_LOAD_HOME (bench/target/load-home), MEDALLION_LOAD_S3_PORT (29000),
# MEDALLION_LOAD_SQS_PORT (29324), MEDALLION_LOAD_INGEST_PORT .. _CATALOG_PORT (28081-28084),
# MEDALLION_SERVICE_JAVA_OPTS (-Xmx512m: the services' heap, and with it the memory limit checked),
# MEDALLION_RUNTIME (jvm, or native: the executables deploy/local/native.sh build makes),
# MEDALLION_INGEST_BUFFER_INTERVAL (1s: how long a queue-only batch waits; matters with --sqs-producers),
# MEDALLION_COMPACTION_SETTLE (1m, so compaction merges during the run; the service's default is 10m),
# MEDALLION_START_TIMEOUT (300 s), MEDALLION_BENCH_BUILD (1: ./mvnw install -DskipTests first), MAVEN_OPTS (-Xmx1g:
# the harness's own JVM).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/deploy/local"
# Never MEDALLION_HOME from the environment: this script purges its lake, and that one may be someone's demo.
export MEDALLION_HOME="${MEDALLION_LOAD_HOME:-$ROOT/bench/target/load-home}"
export MEDALLION_S3_PORT="${MEDALLION_LOAD_S3_PORT:-29000}"
export MEDALLION_SQS_PORT="${MEDALLION_LOAD_SQS_PORT:-29324}"
export MEDALLION_INGEST_PORT="${MEDALLION_LOAD_INGEST_PORT:-28081}"
export MEDALLION_TRANSFORM_PORT="${MEDALLION_LOAD_TRANSFORM_PORT:-28082}"
export MEDALLION_COMPACTION_PORT="${MEDALLION_LOAD_COMPACTION_PORT:-28083}"
export MEDALLION_CATALOG_PORT="${MEDALLION_LOAD_CATALOG_PORT:-28084}"
export MEDALLION_API_KEY="${MEDALLION_API_KEY:-local-demo-key}"
export MEDALLION_SERVICE_JAVA_OPTS="${MEDALLION_SERVICE_JAVA_OPTS:--Xmx512m}"
export MEDALLION_RUNTIME="${MEDALLION_RUNTIME:-jvm}"
# Read by ingest-service and compaction-service only (Quarkus maps them to medallion.*); the others ignore them.
export MEDALLION_INGEST_BUFFER_INTERVAL="${MEDALLION_INGEST_BUFFER_INTERVAL:-1s}"
export MEDALLION_COMPACTION_SETTLE="${MEDALLION_COMPACTION_SETTLE:-1m}"
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx1g}"
# a busy machine starts a JVM service in a minute or more; services.sh would give up after 90 s
export MEDALLION_START_TIMEOUT="${MEDALLION_START_TIMEOUT:-300}"
unset MEDALLION_TLS_KEYSTORE # plain HTTP on loopback: the producers speak http://

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

command -v java >/dev/null || { echo "load.sh: Java 17+ is required: install a JDK and put java on PATH" >&2; exit 1; }
command -v curl >/dev/null || { echo "load.sh: curl is required" >&2; exit 1; }

missing=0
if [[ "$MEDALLION_RUNTIME" == native ]]; then
  "$LOCAL/services.sh" built # native executables are built on purpose (deploy/local/native.sh build), never here
else
  "$LOCAL/services.sh" built 2>/dev/null || missing=1
fi
[[ -d "$ROOT/bench/target/classes" ]] || missing=1
if ((missing)) || [[ "${MEDALLION_BENCH_BUILD:-0}" == 1 ]]; then
  step "Building (./mvnw install -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q install -DskipTests)
fi

cleanup() {
  local rc=$?
  step "Stopping the services and the stack (lake kept in $MEDALLION_HOME/data until the next run)"
  "$LOCAL/services.sh" stop || true
  "$LOCAL/stack.sh" stop || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Local S3 (S3Proxy, port $MEDALLION_S3_PORT) and SQS (ElasticMQ, port $MEDALLION_SQS_PORT), empty lake in $MEDALLION_HOME"
# a run killed half-way may have left its own processes: they are this home's, so stop them
"$LOCAL/services.sh" stop >/dev/null 2>&1 || true
"$LOCAL/stack.sh" stop --purge >/dev/null
"$LOCAL/stack.sh" start
eval "$("$LOCAL/stack.sh" env)"

step "Services ($MEDALLION_RUNTIME, $MEDALLION_SERVICE_JAVA_OPTS, ports $MEDALLION_INGEST_PORT-$MEDALLION_CATALOG_PORT)"
"$LOCAL/services.sh" start

step "Sustained load"
(cd "$ROOT" && ./mvnw -B -q -pl bench exec:java -Dexec.args="load $*")
