#!/usr/bin/env bash
# Starts and stops the four packaged Medallion services against the local S3 + SQS stack (stack.sh).
#
#   services.sh start | stop | status [service...]     (default: all four; e.g. services.sh start ingest)
#   services.sh built [service...]                     fails, saying how to build, when a jar or executable is missing
#
# Knobs (environment): MEDALLION_HOME (as stack.sh), MEDALLION_INGEST_PORT (8081), MEDALLION_TRANSFORM_PORT (8082),
# MEDALLION_COMPACTION_PORT (8083), MEDALLION_CATALOG_PORT (8084), MEDALLION_API_KEY (local-demo-key; the services
# are given only its SHA-256), MEDALLION_API_KEY_DATASETS (datasets the key may write, comma-separated: sales,clicks,refunds),
# MEDALLION_DATASETS_FILE (deploy/local/datasets.yaml), MEDALLION_SERVICE_JAVA_OPTS (-Xmx512m),
# MEDALLION_START_TIMEOUT (90 s), MEDALLION_RUNTIME (jvm or native), MEDALLION_TLS_KEYSTORE and
# MEDALLION_TLS_KEYSTORE_PASSWORD (a PKCS12 keystore: the services started by this call serve HTTPS only, on their
# port, plain HTTP is not opened at all; docs/architecture.md, "TLS"). Services are the jars under
# */target/quarkus-app (build them with ./mvnw package -DskipTests) or, with MEDALLION_RUNTIME=native, the native
# executables */target/*-runner (build them with deploy/local/native.sh build). Logs go to
# $MEDALLION_HOME/logs/{service}-service.log, appended across restarts.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HOME_DIR="${MEDALLION_HOME:-$ROOT/.medallion}"
RUN="$HOME_DIR/run"
LOGS="$HOME_DIR/logs"
ALL_SERVICES=(ingest transform compaction catalog)
START_TIMEOUT="${MEDALLION_START_TIMEOUT:-90}"

die() {
  echo "services.sh: $*" >&2
  exit 1
}

port_of() {
  case "$1" in
    ingest) echo "${MEDALLION_INGEST_PORT:-8081}" ;;
    transform) echo "${MEDALLION_TRANSFORM_PORT:-8082}" ;;
    compaction) echo "${MEDALLION_COMPACTION_PORT:-8083}" ;;
    catalog) echo "${MEDALLION_CATALOG_PORT:-8084}" ;;
  esac
}

RUNTIME="${MEDALLION_RUNTIME:-jvm}"
[[ "$RUNTIME" == jvm || "$RUNTIME" == native ]] || die "MEDALLION_RUNTIME is '$RUNTIME': expected jvm or native"

# what runs a service: its jar, or its native executable
artifact_of() {
  if [[ "$RUNTIME" == native ]]; then
    compgen -G "$ROOT/$1-service/target/$1-service-*-runner" | head -n 1 || echo "$ROOT/$1-service/target/$1-service-runner"
  else
    echo "$ROOT/$1-service/target/quarkus-app/quarkus-run.jar"
  fi
}
build_hint() {
  if [[ "$RUNTIME" == native ]]; then echo "deploy/local/native.sh build"; else echo "./mvnw package -DskipTests"; fi
}
pid_file() { echo "$RUN/$1-service.pid"; }

running_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  # only a process started from our jar or executable (either runtime) counts, so a reused pid is never mistaken
  # for ours
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" \
    | grep -q -e "$ROOT/$1-service/target/quarkus-app/quarkus-run.jar" -e "$ROOT/$1-service/target/$1-service-.*-runner" \
    || return 1
  echo "$pid"
}

# sleeps without forking a sleep process: a read that times out on a pipe nothing writes to
exec {tick}<> <(:)
nap() { read -r -t "$1" -u "$tick" || true; }

TLS_KEYSTORE="${MEDALLION_TLS_KEYSTORE:-}"
SCHEME=http
[[ -n "$TLS_KEYSTORE" ]] && SCHEME=https

# --insecure only here: the probe asks whether the service answers, while clients verify its certificate
ready() {
  [[ "$(curl -s --insecure -o /dev/null -m 2 -w '%{http_code}' "$SCHEME://127.0.0.1:$(port_of "$1")/q/health/ready" 2>/dev/null)" == 200 ]]
}

# whether every service has its jar or executable
cmd_built() {
  for s in "${SERVICES[@]}"; do
    [[ -f "$(artifact_of "$s")" ]] || die "$(artifact_of "$s") is missing: build with $(build_hint)"
  done
}

cmd_start() {
  [[ "$RUNTIME" == native ]] || command -v java >/dev/null || die "Java 17+ is required: install a JDK and put java on PATH"
  cmd_built
  # endpoints and credentials of the local stack
  eval "$(MEDALLION_HOME="$HOME_DIR" "$ROOT/deploy/local/stack.sh" env)"
  "$ROOT/deploy/local/stack.sh" status >/dev/null || die "the local S3 + SQS stack is not running: run deploy/local/stack.sh start"
  mkdir -p "$RUN" "$LOGS"
  local datasets="${MEDALLION_DATASETS_FILE:-$ROOT/deploy/local/datasets.yaml}"
  if [[ -n "$TLS_KEYSTORE" ]]; then
    [[ -r "$TLS_KEYSTORE" ]] || die "MEDALLION_TLS_KEYSTORE '$TLS_KEYSTORE' is not a readable file"
    [[ -n "${MEDALLION_TLS_KEYSTORE_PASSWORD:-}" ]] || die "MEDALLION_TLS_KEYSTORE needs MEDALLION_TLS_KEYSTORE_PASSWORD"
    # HTTPS on the service's own port (QUARKUS_HTTP_SSL_PORT below); no plain HTTP listener at all
    QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_FILE="$(cd "$(dirname "$TLS_KEYSTORE")" && pwd)/$(basename "$TLS_KEYSTORE")"
    QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_PASSWORD="$MEDALLION_TLS_KEYSTORE_PASSWORD"
    QUARKUS_HTTP_INSECURE_REQUESTS=disabled
    export QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_FILE QUARKUS_HTTP_SSL_CERTIFICATE_KEY_STORE_PASSWORD \
      QUARKUS_HTTP_INSECURE_REQUESTS
  fi
  local key_sha256
  key_sha256="$(printf %s "${MEDALLION_API_KEY:-local-demo-key}" | sha256sum | cut -d' ' -f1)"
  local started=()
  for s in "${SERVICES[@]}"; do
    if running_pid "$s" >/dev/null; then
      echo "$s-service already running (pid $(running_pid "$s"))"
      continue
    fi
    local port launch
    port="$(port_of "$s")"
    # a native executable takes the same -X heap options as the JVM
    # shellcheck disable=SC2206
    launch=(${MEDALLION_SERVICE_JAVA_OPTS:--Xmx512m})
    if [[ "$RUNTIME" == native ]]; then
      launch=("$(artifact_of "$s")" "${launch[@]}")
    else
      launch=(java "${launch[@]}" -jar "$(artifact_of "$s")")
    fi
    if timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
      die "port $port ($s-service) is in use; stop what holds it or set MEDALLION_${s^^}_PORT"
    fi
    # HOSTNAME exported, as container runtimes do: without it the first log record looks the machine's name up
    # (InetAddress.getLocalHost), a few milliseconds of a native start-up
    QUARKUS_HTTP_PORT="$port" \
      QUARKUS_HTTP_SSL_PORT="$port" \
      QUARKUS_HTTP_HOST=127.0.0.1 \
      QUARKUS_S3_ENDPOINT_OVERRIDE="$MEDALLION_S3_ENDPOINT" \
      QUARKUS_S3_PATH_STYLE_ACCESS=true \
      QUARKUS_S3_AWS_REGION="$AWS_REGION" \
      QUARKUS_S3_AWS_CREDENTIALS_TYPE=static \
      QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
      QUARKUS_S3_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
      QUARKUS_SQS_ENDPOINT_OVERRIDE="$MEDALLION_SQS_ENDPOINT" \
      QUARKUS_SQS_AWS_REGION="$AWS_REGION" \
      QUARKUS_SQS_AWS_CREDENTIALS_TYPE=static \
      QUARKUS_SQS_AWS_CREDENTIALS_STATIC_PROVIDER_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
      QUARKUS_SQS_AWS_CREDENTIALS_STATIC_PROVIDER_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
      MEDALLION_LAKE_BUCKET="$MEDALLION_BUCKET" \
      MEDALLION_LAKE_STAGING_DIR="$HOME_DIR/staging/$s" \
      MEDALLION_DATASETS_FILE="$datasets" \
      MEDALLION_AUTH_KEYS_LOCAL_SHA256="$key_sha256" \
      MEDALLION_AUTH_KEYS_LOCAL_DATASETS="${MEDALLION_API_KEY_DATASETS:-sales,clicks,refunds}" \
      HOSTNAME="$HOSTNAME" \
      nohup "${launch[@]}" >>"$LOGS/$s-service.log" 2>&1 &
    echo $! >"$(pid_file "$s")"
    started+=("$s")
  done
  local deadline=$((SECONDS + START_TIMEOUT))
  for s in "${started[@]}"; do
    # the first look after 0.3 s, and a wait that forks nothing: a process forked while a native service starts
    # slows its start-up (bench/runtimes.sh)
    until nap 0.3 && ready "$s"; do
      if ! running_pid "$s" >/dev/null; then
        tail -n 40 "$LOGS/$s-service.log" >&2
        die "$s-service exited before it was ready (log: $LOGS/$s-service.log)"
      fi
      if ((SECONDS >= deadline)); then
        tail -n 40 "$LOGS/$s-service.log" >&2
        die "$s-service was not ready within ${START_TIMEOUT}s (log: $LOGS/$s-service.log)"
      fi
    done
    echo "$s-service ready on $SCHEME://127.0.0.1:$(port_of "$s") (pid $(running_pid "$s"))"
  done
}

cmd_stop() {
  local pids=()
  for s in "${SERVICES[@]}"; do
    if pid="$(running_pid "$s")"; then
      kill -TERM "$pid" 2>/dev/null || true # graceful: services drain in-flight work
      pids+=("$pid")
    fi
    rm -f "$(pid_file "$s")"
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo "services stopped"
}

cmd_status() {
  local up=0
  for s in "${SERVICES[@]}"; do
    if pid="$(running_pid "$s")"; then
      echo "$s-service: up (pid $pid, port $(port_of "$s"), ready: $(ready "$s" && echo yes || echo no))"
    else
      echo "$s-service: down"
      up=3
    fi
  done
  return $up
}

command="${1:-}"
(($#)) && shift
SERVICES=("$@")
((${#SERVICES[@]})) || SERVICES=("${ALL_SERVICES[@]}")
for s in "${SERVICES[@]}"; do
  [[ " ${ALL_SERVICES[*]} " == *" $s "* ]] || die "unknown service '$s': expected one of ${ALL_SERVICES[*]}"
done
case "$command" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  built) cmd_built ;;
  *) die "usage: services.sh start|stop|status|built [ingest|transform|compaction|catalog ...]" ;;
esac
