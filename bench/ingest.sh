#!/usr/bin/env bash
# The ingest benchmark: builds if needed, starts the local S3 + SQS stack and the services (as demo.sh does, with
# deploy/local/stack.sh and services.sh), runs the ingest-http and ingest-sqs steps of the bench harness against
# them, prints the summary, and stops what it started. Results are appended to bench/results/results.jsonl.
#
#   bench/ingest.sh [harness options]       e.g. bench/ingest.sh --records 200000 --clients 4
#
# Defaults: 1,000,000 records over HTTP (1 MiB bodies, 32 clients), 200,000 records over SQS (50 per message,
# 4 pollers); see "Harness ingest" in docs/performance.md for every option.
#
# Knobs (environment): MEDALLION_HOME (default .medallion/), MEDALLION_API_KEY (local-demo-key),
# MEDALLION_BENCH_TRANSFORM (paused: transform-service is stopped with SIGSTOP while ingest is timed, then resumed;
# running: it converts concurrently and competes for the CPU), MEDALLION_INGEST_BUFFER_INTERVAL (1s here: how long a queue-only batch may wait before it is stored; the service's
# own default, 300s, would make the SQS step time the interval), MEDALLION_BENCH_FRESH (1: start from an empty lake
# when this script starts the stack; 0 keeps its data), MEDALLION_BENCH_BUILD (1 forces ./mvnw install -DskipTests),
# MEDALLION_RUNTIME (native: the services' native executables, built with deploy/local/native.sh build).
# A stack or services already running are used as they are and left running.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/deploy/local"
export MEDALLION_HOME="${MEDALLION_HOME:-$ROOT/.medallion}"
export MEDALLION_API_KEY="${MEDALLION_API_KEY:-local-demo-key}"
# Read by ingest-service only (Quarkus maps it to medallion.ingest.buffer.interval); the other services ignore it.
export MEDALLION_INGEST_BUFFER_INTERVAL="${MEDALLION_INGEST_BUFFER_INTERVAL:-1s}"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

command -v java >/dev/null || { echo "ingest.sh: Java 17+ is required: install a JDK and put java on PATH" >&2; exit 1; }
command -v curl >/dev/null || { echo "ingest.sh: curl is required" >&2; exit 1; }

missing=0
if [[ "${MEDALLION_RUNTIME:-jvm}" == native ]]; then
  "$LOCAL/services.sh" built # native executables are built on purpose (deploy/local/native.sh build), never here
else
  "$LOCAL/services.sh" built 2>/dev/null || missing=1
fi
[[ -d "$ROOT/bench/target/classes" ]] || missing=1
if ((missing)) || [[ "${MEDALLION_BENCH_BUILD:-0}" == 1 ]]; then
  step "Building (./mvnw install -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q install -DskipTests)
fi

started_stack=0
started_services=0
transform_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$transform_pid" ]]; then
    kill -CONT "$transform_pid" 2>/dev/null || true
  fi
  if ((started_services)); then
    step "Stopping the services this script started"
    "$LOCAL/services.sh" stop || true
  fi
  if ((started_stack)); then
    "$LOCAL/stack.sh" stop || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Local S3 (S3Proxy) and SQS (ElasticMQ)"
if "$LOCAL/stack.sh" status >/dev/null 2>&1; then
  echo "  already running: using it as it is"
else
  if [[ "${MEDALLION_BENCH_FRESH:-1}" == 1 ]]; then
    "$LOCAL/stack.sh" stop --purge >/dev/null # an empty lake, as demo.sh does: the bench writes gigabytes
  fi
  started_stack=1
  "$LOCAL/stack.sh" start
fi
eval "$("$LOCAL/stack.sh" env)"

step "Services"
if "$LOCAL/services.sh" status >/dev/null 2>&1; then
  echo "  already running: using them as they are (MEDALLION_INGEST_BUFFER_INTERVAL applies only to a fresh start)"
else
  started_services=1
  "$LOCAL/services.sh" start
fi

# Ingest alone is measured: the transform step would convert what ingest stores on the same 2 cores while the
# ceilings run without it. It is paused (SIGSTOP) during the timed phases and resumed after, so its queue just waits.
if [[ "${MEDALLION_BENCH_TRANSFORM:-paused}" == paused && -f "$MEDALLION_HOME/run/transform-service.pid" ]]; then
  transform_pid="$(cat "$MEDALLION_HOME/run/transform-service.pid")"
  kill -STOP "$transform_pid"
  settle=(--settle-timeout 0)
else
  settle=()
fi

step "Ingest benchmark"
(cd "$ROOT" && ./mvnw -B -q -pl bench exec:java -Dexec.args="ingest ${settle[*]} $*")
