#!/usr/bin/env bash
# Local S3 + SQS for Medallion: S3Proxy (filesystem backend) and ElasticMQ, on loopback only.
#
#   stack.sh install         fetch the servers through Maven into $MEDALLION_TOOLS (cached)
#   stack.sh start           start both (idempotent), create the bucket and the queues
#   stack.sh stop [--purge]  stop both; --purge also deletes $MEDALLION_HOME/data
#   stack.sh purge           same as stop --purge
#   stack.sh status          one line per server; exit 0 when both are up, 3 otherwise
#   stack.sh env             export lines for: eval "$(deploy/local/stack.sh env)"
#
# Knobs (environment): MEDALLION_HOME, MEDALLION_TOOLS, MEDALLION_S3_PORT, MEDALLION_SQS_PORT,
# MEDALLION_BUCKET, MEDALLION_ACCESS_KEY, MEDALLION_SECRET_KEY, MEDALLION_VISIBILITY_TIMEOUT,
# MEDALLION_START_TIMEOUT, MEDALLION_JAVA_OPTS, MEDALLION_S3_AUTHORIZATION (aws-v2-or-v4; none lets a test's proxy
# take off headers S3Proxy refuses, such as SSE-KMS ones, without breaking their signature). A different MEDALLION_HOME plus different ports gives an
# independent second stack (tests do that).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
POM="$ROOT/deploy/local/pom.xml"

# Versions live in the pom only, so the cache key below can never disagree with what Maven fetched.
pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$POM" | head -n 1
}
ELASTICMQ_VERSION="$(pom_property elasticmq.version)"
S3PROXY_VERSION="$(pom_property s3proxy.version)"
DUCKDB_VERSION="$(pom_property duckdb.version)"

MEDALLION_HOME="${MEDALLION_HOME:-$ROOT/.medallion}"
MEDALLION_TOOLS="${MEDALLION_TOOLS:-$HOME/.cache/medallion/tools/elasticmq-$ELASTICMQ_VERSION-s3proxy-$S3PROXY_VERSION-duckdb-$DUCKDB_VERSION}"
S3_PORT="${MEDALLION_S3_PORT:-9000}"
SQS_PORT="${MEDALLION_SQS_PORT:-9324}"
BUCKET="${MEDALLION_BUCKET:-lake}"
ACCESS_KEY="${MEDALLION_ACCESS_KEY:-medallion}"
SECRET_KEY="${MEDALLION_SECRET_KEY:-medallion-local-secret}"
REGION="us-east-1"
VISIBILITY_TIMEOUT="${MEDALLION_VISIBILITY_TIMEOUT:-60}"
START_TIMEOUT="${MEDALLION_START_TIMEOUT:-60}"
S3_AUTHORIZATION="${MEDALLION_S3_AUTHORIZATION:-aws-v2-or-v4}"
# Small heaps and the serial GC: two JVMs share a 2-core machine with the services under test.
JAVA_OPTS="${MEDALLION_JAVA_OPTS:--Xms32m -Xmx512m -XX:+UseSerialGC}"
HOST="127.0.0.1"
QUEUES=(medallion-ingest medallion-transform medallion-compaction medallion-catalog)
MAX_RECEIVE_COUNT=5

ELASTICMQ_LIB="$MEDALLION_TOOLS/elasticmq/lib"
S3PROXY_JAR="$MEDALLION_TOOLS/s3proxy/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
DUCKDB_JAR="$MEDALLION_TOOLS/duckdb/duckdb_jdbc-$DUCKDB_VERSION.jar"

die() {
  echo "stack.sh: $*" >&2
  exit 1
}

log() {
  echo "stack.sh: $*" >&2
}

is_uint() {
  [[ "$1" =~ ^[0-9]+$ ]]
}

check_knobs() {
  local knob
  for knob in S3_PORT SQS_PORT VISIBILITY_TIMEOUT START_TIMEOUT; do
    is_uint "${!knob}" || die "$knob must be a number, got '${!knob}'"
  done
  [[ "$S3_AUTHORIZATION" == aws-v2-or-v4 || "$S3_AUTHORIZATION" == none ]] \
    || die "MEDALLION_S3_AUTHORIZATION must be aws-v2-or-v4 or none, got '$S3_AUTHORIZATION'"
  [[ "$S3_PORT" != "$SQS_PORT" ]] || die "MEDALLION_S3_PORT and MEDALLION_SQS_PORT are both $S3_PORT"
  [[ "$BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] || die "MEDALLION_BUCKET '$BUCKET' is not a valid S3 bucket name"
}

# Absolute paths: they go into generated configs and into the servers' command lines, which is how we
# recognise our own processes later.
resolve_home() {
  mkdir -p "$MEDALLION_HOME"
  MEDALLION_HOME="$(cd "$MEDALLION_HOME" && pwd)"
  DATA="$MEDALLION_HOME/data"
  RUN="$MEDALLION_HOME/run"
  LOGS="$MEDALLION_HOME/logs"
}

# ---------------------------------------------------------------------------------------------- install

installed() {
  [[ -f "$ELASTICMQ_LIB/elasticmq-server_2.13-$ELASTICMQ_VERSION.jar" && -f "$S3PROXY_JAR" && -f "$DUCKDB_JAR" ]]
}

cmd_install() {
  if installed; then
    log "tools already installed in $MEDALLION_TOOLS"
    return 0
  fi
  command -v java >/dev/null 2>&1 || die "Java 17+ is required to fetch the tools (mvnw runs on it)"
  log "fetching ElasticMQ $ELASTICMQ_VERSION, S3Proxy $S3PROXY_VERSION and DuckDB JDBC $DUCKDB_VERSION into $MEDALLION_TOOLS"
  # Fetch into a private folder and rename it at the end: a concurrent install or an interrupted one never
  # leaves a half-filled cache that would pass the check above.
  local parent staging
  parent="$(dirname "$MEDALLION_TOOLS")"
  mkdir -p "$parent"
  staging="$(mktemp -d "$parent/.staging.XXXXXX")"
  chmod 755 "$staging" # mktemp makes it private; the cache is shared like any other install
  if ! "$ROOT/mvnw" -q -B -f "$POM" package "-Dmedallion.tools=$staging"; then
    rm -rf "$staging"
    die "Maven could not fetch the tools (see the output above)"
  fi
  rm -rf "$staging/build"
  if [[ -d "$MEDALLION_TOOLS" ]] && installed; then
    rm -rf "$staging" # another install won the race
  else
    rm -rf "$MEDALLION_TOOLS"
    mv "$staging" "$MEDALLION_TOOLS"
  fi
  installed || die "install finished but the jars are missing from $MEDALLION_TOOLS"
  log "installed in $MEDALLION_TOOLS"
}

# ---------------------------------------------------------------------------------------------- helpers

require_java() {
  command -v java >/dev/null 2>&1 ||
    die "Java 17+ is required: install a JDK (e.g. apt-get install openjdk-17-jre-headless) or put java on PATH"
  local version major
  version="$(java -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)"
  major="${version%%.*}"
  [[ "$major" == "1" ]] && major="$(echo "$version" | cut -d. -f2)"
  if is_uint "$major" && ((major < 17)); then
    die "Java 17+ is required: found $version at $(command -v java)"
  fi
}

require_curl() {
  command -v curl >/dev/null 2>&1 || die "curl is required (apt-get install curl)"
}

pid_file() { echo "$RUN/$1.pid"; }
port_file() { echo "$RUN/$1.port"; }

# The config file path is on each server's command line and is unique to this MEDALLION_HOME, so a
# recycled pid or another stack's server is never mistaken for ours.
config_file() {
  case "$1" in
    sqs) echo "$RUN/elasticmq.conf" ;;
    s3) echo "$RUN/s3proxy.properties" ;;
    *) die "unknown server $1" ;;
  esac
}

process_args() {
  if command -v ps >/dev/null 2>&1; then
    ps -o args= -p "$1" 2>/dev/null || true
  elif [[ -r "/proc/$1/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$1/cmdline"
  fi
}

# Prints the pid when the pid file names a live process that is our server; fails otherwise.
our_pid() {
  local file pid args
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  pid="$(cat "$file")"
  is_uint "$pid" || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  args="$(process_args "$pid")"
  [[ "$args" == *"$(config_file "$1")"* ]] || return 1
  echo "$pid"
}

recorded_port() {
  local file
  file="$(port_file "$1")"
  if [[ -f "$file" ]]; then cat "$file"; else configured_port "$1"; fi
}

configured_port() {
  case "$1" in
    sqs) echo "$SQS_PORT" ;;
    s3) echo "$S3_PORT" ;;
    *) die "unknown server $1" ;;
  esac
}

# A successful connect means something already listens there (a refused one means the port is free).
port_in_use() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

http_code() {
  curl -s -o /dev/null -m 2 -w '%{http_code}' "$@" 2>/dev/null || true
}

# SQS is ready once the query API answers ListQueues.
sqs_answers() {
  [[ "$(http_code "http://$HOST:$1/?Action=ListQueues")" == "200" ]]
}

# S3 is ready once Jetty answers at all (anonymous requests get 403, which is fine).
s3_answers() {
  local code
  code="$(http_code "http://$HOST:$1/")"
  [[ -n "$code" && "$code" != "000" ]]
}

answers() {
  case "$1" in
    sqs) sqs_answers "$2" ;;
    s3) s3_answers "$2" ;;
    *) die "unknown server $1" ;;
  esac
}

log_file() { echo "$LOGS/$1.log"; }

fail_with_log() {
  local name="$1" message="$2" file
  file="$(log_file "$name")"
  echo "stack.sh: $message" >&2
  if [[ -f "$file" ]]; then
    echo "---- last lines of $file ----" >&2
    tail -n 40 "$file" >&2
    echo "----" >&2
  fi
  exit 1
}

wait_ready() {
  local name="$1" port="$2" pid="$3" deadline=$((SECONDS + START_TIMEOUT))
  until answers "$name" "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$(pid_file "$name")" "$(port_file "$name")"
      fail_with_log "$name" "$name server (pid $pid) exited before it answered on port $port"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "$name" "$name server (pid $pid) did not answer on port $port within ${START_TIMEOUT}s"
    fi
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------------------------- configs

write_elasticmq_conf() {
  local conf queue
  conf="$(config_file sqs)"
  mkdir -p "$DATA/sqs"
  {
    echo "# Generated by deploy/local/stack.sh on each start; edit the script, not this file."
    echo "include classpath(\"application.conf\")"
    echo
    echo "# Bind loopback only (the default is every interface) and advertise the same address in queue URLs."
    echo "node-address { protocol = http, host = \"$HOST\", port = $SQS_PORT, context-path = \"\" }"
    echo "rest-sqs { enabled = true, bind-port = $SQS_PORT, bind-hostname = \"$HOST\", sqs-limits = strict }"
    echo "generate-node-address = false"
    echo "aws { region = \"$REGION\", accountId = \"000000000000\" }"
    echo
    echo "# Queues and messages survive a restart; stack.sh stop --purge deletes them."
    echo "queues-storage { enabled = true, path = \"$DATA/sqs/queues.conf\" }"
    echo "messages-storage { enabled = true, uri = \"jdbc:h2:$DATA/sqs/elasticmq\" }"
    echo
    echo "queues {"
    for queue in "${QUEUES[@]}"; do
      echo "  $queue {"
      echo "    defaultVisibilityTimeout = $VISIBILITY_TIMEOUT seconds"
      echo "    delay = 0 seconds"
      echo "    receiveMessageWait = 0 seconds"
      echo "    deadLettersQueue { name = \"$queue-dlq\", maxReceiveCount = $MAX_RECEIVE_COUNT }"
      echo "  }"
      echo "  $queue-dlq { defaultVisibilityTimeout = $VISIBILITY_TIMEOUT seconds }"
    done
    echo "}"
  } >"$conf"
}

write_s3proxy_properties() {
  local props
  props="$(config_file s3)"
  mkdir -p "$DATA/s3"
  # It holds the secret: readable by the owner only.
  (
    umask 077
    {
      echo "# Generated by deploy/local/stack.sh on each start; edit the script, not this file."
      echo "s3proxy.endpoint=http://$HOST:$S3_PORT"
      echo "s3proxy.authorization=$S3_AUTHORIZATION"
      echo "s3proxy.identity=$ACCESS_KEY"
      echo "s3proxy.credential=$SECRET_KEY"
      echo "jclouds.provider=filesystem"
      echo "jclouds.filesystem.basedir=$DATA/s3"
    } >"$props"
  )
}

# ---------------------------------------------------------------------------------------------- start

# Prints the pid of the server that is (now) running.
launch() {
  local name="$1" pid
  local -a java_opts
  read -r -a java_opts <<<"$JAVA_OPTS"
  # No inherited stdin/stdout: a caller reading our output (e.g. a Java ProcessBuilder) must see EOF when
  # this script ends, not when the servers do.
  case "$name" in
    sqs)
      write_elasticmq_conf
      nohup java "${java_opts[@]}" "-Dconfig.file=$(config_file sqs)" -cp "$ELASTICMQ_LIB/*" \
        org.elasticmq.server.Main </dev/null >"$(log_file sqs)" 2>&1 &
      ;;
    s3)
      write_s3proxy_properties
      nohup java "${java_opts[@]}" -jar "$S3PROXY_JAR" --properties "$(config_file s3)" \
        </dev/null >"$(log_file s3)" 2>&1 &
      ;;
  esac
  pid=$!
  echo "$pid" >"$(pid_file "$name")"
  configured_port "$name" >"$(port_file "$name")"
  echo "$pid"
}

create_bucket() {
  local body code
  body="$(mktemp)"
  # curl < 8 signs S3 requests without x-amz-content-sha256, which S3Proxy rejects; naming it explicitly
  # works with every curl that has --aws-sigv4.
  code="$(curl -s -o "$body" -w '%{http_code}' -m 10 --aws-sigv4 "aws:amz:$REGION:s3" \
    --user "$ACCESS_KEY:$SECRET_KEY" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
    -X PUT "http://$HOST:$S3_PORT/$BUCKET" || true)"
  # 409 BucketAlreadyOwnedByYou on every start after the first one: the bucket is there, which is the point.
  if [[ "$code" == "200" ]] || { [[ "$code" == "409" ]] && grep -q BucketAlreadyOwnedByYou "$body"; }; then
    rm -f "$body"
    return 0
  fi
  echo "stack.sh: creating bucket $BUCKET failed with HTTP $code:" >&2
  cat "$body" >&2
  rm -f "$body"
  exit 1
}

verify_queues() {
  local queue name code
  for queue in "${QUEUES[@]}"; do
    for name in "$queue" "$queue-dlq"; do
      code="$(http_code "http://$HOST:$SQS_PORT/?Action=GetQueueUrl&QueueName=$name")"
      [[ "$code" == "200" ]] || fail_with_log sqs "queue $name is missing (GetQueueUrl answered HTTP $code)"
    done
  done
}

LAUNCHED=()

stop_launched_on_failure() {
  local rc="$1"
  ((rc != 0)) || return 0
  stop_servers "${LAUNCHED[@]+"${LAUNCHED[@]}"}"
}

cmd_start() {
  check_knobs
  require_java
  require_curl
  resolve_home
  installed || cmd_install
  mkdir -p "$DATA" "$RUN" "$LOGS"

  local name port pid
  local -a to_launch=() to_wait=()
  # Decide everything before launching anything, so a busy port fails fast without half a stack.
  for name in sqs s3; do
    port="$(configured_port "$name")"
    if pid="$(our_pid "$name")"; then
      local running_port
      running_port="$(recorded_port "$name")"
      [[ "$running_port" == "$port" ]] ||
        die "$name is already running on port $running_port (pid $pid); run 'stack.sh stop' before changing its port"
      to_wait+=("$name:$pid")
      continue
    fi
    rm -f "$(pid_file "$name")" "$(port_file "$name")"
    if port_in_use "$port"; then
      case "$name" in
        sqs) die "port $port (SQS) is in use; stop what holds it or set MEDALLION_SQS_PORT" ;;
        s3) die "port $port (S3) is in use; stop what holds it or set MEDALLION_S3_PORT" ;;
      esac
    fi
    to_launch+=("$name")
  done

  # A failed start takes down what it launched: no half stack, no orphan JVM outliving a failed test.
  trap 'stop_launched_on_failure $?' EXIT
  for name in "${to_launch[@]+"${to_launch[@]}"}"; do
    pid="$(launch "$name")"
    LAUNCHED+=("$name")
    log "started $name (pid $pid, port $(configured_port "$name"), log $(log_file "$name"))"
    to_wait+=("$name:$pid")
  done
  # Both JVMs boot in parallel; wait for each (an already-running one answers at once).
  local entry
  for entry in "${to_wait[@]}"; do
    name="${entry%%:*}"
    pid="${entry#*:}"
    wait_ready "$name" "$(configured_port "$name")" "$pid"
  done

  create_bucket
  verify_queues
  trap - EXIT
  log "ready: S3 http://$HOST:$S3_PORT (bucket $BUCKET), SQS http://$HOST:$SQS_PORT (${#QUEUES[@]} queues + DLQs)"
}

# ---------------------------------------------------------------------------------------------- stop

# TERM all given servers at once (they shut down in parallel), wait up to 15 s, then KILL the stragglers.
stop_servers() {
  local name pid deadline
  local -a names=() pids=()
  for name in "$@"; do
    if pid="$(our_pid "$name")"; then
      kill -TERM "$pid" 2>/dev/null || true
      names+=("$name")
      pids+=("$pid")
    fi
  done
  local i
  for i in "${!pids[@]}"; do
    pid="${pids[$i]}"
    deadline=$((SECONDS + 15))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "${names[$i]} (pid $pid) ignored TERM for 15s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    fi
    log "stopped ${names[$i]} (pid $pid)"
  done
  for name in "$@"; do
    rm -f "$(pid_file "$name")" "$(port_file "$name")"
  done
}

cmd_stop() {
  local purge=false arg
  for arg in "$@"; do
    case "$arg" in
      --purge) purge=true ;;
      *) die "unknown option for stop: $arg" ;;
    esac
  done
  resolve_home
  stop_servers sqs s3
  if [[ "$purge" == true ]]; then
    # Never let a mistaken MEDALLION_HOME turn this into rm -rf of something large.
    [[ "$MEDALLION_HOME" != "/" && "$MEDALLION_HOME" != "$HOME" ]] || die "refusing to purge MEDALLION_HOME=$MEDALLION_HOME"
    rm -rf "$DATA"
    log "purged $DATA"
  fi
}

# ---------------------------------------------------------------------------------------------- status, env

cmd_status() {
  resolve_home
  local name pid port state all_up=true
  for name in sqs s3; do
    if pid="$(our_pid "$name")"; then
      port="$(recorded_port "$name")"
      if answers "$name" "$port"; then state="up"; else state="starting or unhealthy"; all_up=false; fi
    else
      pid="-"
      port="$(configured_port "$name")"
      state="down"
      all_up=false
    fi
    printf '%-4s pid %-8s port %-6s %s\n' "$name" "$pid" "$port" "$state"
  done
  [[ "$all_up" == true ]] || exit 3
}

cmd_env() {
  resolve_home
  local var
  local -a lines=(
    "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
    "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
    "AWS_REGION=$REGION"
    "AWS_DEFAULT_REGION=$REGION"
    "MEDALLION_HOME=$MEDALLION_HOME"
    "MEDALLION_TOOLS=$MEDALLION_TOOLS"
    "MEDALLION_S3_ENDPOINT=http://$HOST:$S3_PORT"
    "MEDALLION_SQS_ENDPOINT=http://$HOST:$SQS_PORT"
    "MEDALLION_BUCKET=$BUCKET"
    "MEDALLION_S3_DATA_DIR=$MEDALLION_HOME/data/s3"
    "MEDALLION_DUCKDB_JAR=$DUCKDB_JAR"
  )
  for var in "${lines[@]}"; do
    printf 'export %s=%q\n' "${var%%=*}" "${var#*=}"
  done
}

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop "$@" ;;
    purge) cmd_stop --purge ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
