#!/usr/bin/env bash
# JVM versus native, per service: start-up, time to the first processed message, throughput, idle and peak RSS.
#
#   bench/runtimes.sh [jvm] [native]        (default: both; build first: ./mvnw install -DskipTests, and
#                                            deploy/local/native.sh build)
#
# For each runtime, on a fresh local lake, the services run one at a time, each on the work the one before left in
# its queue: MEDALLION_BENCH_MESSAGES producer messages (100) of MEDALLION_BENCH_RECORDS records each (1,000) wait
# on medallion-ingest; ingest stores them in Bronze and announces the objects to transform; transform promotes
# them to Silver and announces the files to compaction and catalog; compaction takes its events, then merges the
# table through its API; catalog takes its events. Per service:
#   started   Quarkus's own "started in" (process start to listening)
#   ready     process start to the first 200 from /q/health/ready
#   first     process start to the first message deleted from its queue (work done and stored)
#   drained   process start to its queue empty (visible and in flight)
#   rate      the stage's work over (drained - ready): records/s, or messages/s for catalog
#   idle RSS  VmRSS 5 s after the queue drained; peak RSS: VmHWM
# Times are sampled every ~10 ms by polling, so they are good to ~20 ms. Results: bench/results/runtimes-*.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/deploy/local"
export MEDALLION_HOME="${MEDALLION_BENCH_HOME:-$ROOT/.medallion-bench}"
export MEDALLION_API_KEY="${MEDALLION_API_KEY:-local-demo-key}"
MESSAGES="${MEDALLION_BENCH_MESSAGES:-100}"
RECORDS="${MEDALLION_BENCH_RECORDS:-1000}"
RUNTIMES=("$@")
((${#RUNTIMES[@]})) || RUNTIMES=(jvm native)
# queue batches are stored after 1 s (the default, 300 s, would time the interval); compaction merges on request
export MEDALLION_INGEST_BUFFER_INTERVAL=1s
export MEDALLION_COMPACTION_SETTLE=0s MEDALLION_COMPACTION_MIN_FILES=2
export MEDALLION_COMPACTION_DUE_CHECK_INTERVAL=1h MEDALLION_COMPACTION_SWEEP_INTERVAL=off

now_ms() { echo $(($(date +%s%N) / 1000000)); }
die() {
  echo "runtimes.sh: $*" >&2
  exit 1
}

# the start of a process, in ms since the epoch, from /proc (boot time + start in clock ticks)
process_start_ms() {
  local ticks boot hz
  ticks="$(awk '{print $22}' "/proc/$1/stat")"
  boot="$(awk '/^btime/ {print $2}' /proc/stat)"
  hz="$(getconf CLK_TCK)"
  echo $((boot * 1000 + ticks * 1000 / hz))
}

sqs() { curl -sf "$MEDALLION_SQS_ENDPOINT/000000000000/$1" "${@:2}"; }

# messages in a queue, visible and in flight
depth() {
  sqs "$1" --data-urlencode Action=GetQueueAttributes -d AttributeName.1=ApproximateNumberOfMessages \
    -d AttributeName.2=ApproximateNumberOfMessagesNotVisible \
    | grep -o '<Value>[0-9]*</Value>' | tr -dc '0-9\n' | awk '{s += $1} END {print s + 0}'
}

port_of() {
  case "$1" in
    ingest) echo 8081 ;; transform) echo 8082 ;; compaction) echo 8083 ;; catalog) echo 8084 ;;
  esac
}

rss_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# one producer message: a JSON array of $RECORDS sales records, spread over ten days
write_message() {
  local m="$1" i
  {
    printf '['
    for ((i = 0; i < RECORDS; i++)); do
      ((i)) && printf ','
      printf '{"order_id":"m%d-%d","amount":%d.25,"customer_id":"c%d","ts":"2026-11-%02dT10:00:00Z"}' \
        "$m" "$i" $((i % 50)) $((i % 97)) $((1 + i % 10))
    done
    printf ']'
  } >"$work/message-$m.json"
}

# runs one service on what waits in its queue; prints its table row
stage() {
  local runtime="$1" service="$2" queue="medallion-$2" work_items="$3" unit="$4"
  local initial port pid_file pid start ready="" first="" drained="" t
  initial="$(depth "$queue")"
  ((initial > 0)) || die "$queue is empty before $service-service starts"
  port="$(port_of "$service")"
  pid_file="$MEDALLION_HOME/run/$service-service.pid"
  rm -f "$pid_file"
  MEDALLION_RUNTIME="$runtime" "$LOCAL/services.sh" start "$service" >/dev/null &
  local starter=$!
  until [[ -s "$pid_file" ]]; do sleep 0.005; done
  pid="$(cat "$pid_file")"
  start="$(process_start_ms "$pid")"
  while [[ -z "$drained" ]]; do
    t="$(now_ms)"
    if [[ -z "$ready" ]] && curl -sf -o /dev/null -m 1 "http://127.0.0.1:$port/q/health/ready" 2>/dev/null; then
      ready=$((t - start))
    fi
    if [[ -n "$ready" ]]; then
      local left
      left="$(depth "$queue")"
      [[ -z "$first" ]] && ((left < initial)) && first=$(($(now_ms) - start))
      ((left == 0)) && drained=$(($(now_ms) - start))
    fi
    kill -0 "$pid" 2>/dev/null || die "$service-service exited; see $MEDALLION_HOME/logs/$service-service.log"
    sleep 0.01
  done
  wait "$starter"
  local extra=""
  if [[ "$service" == compaction ]]; then
    t="$(now_ms)"
    curl -sf -X POST -H "Authorization: Bearer $MEDALLION_API_KEY" \
      "http://127.0.0.1:$port/v1/datasets/sales/compactions" -o "$work/compaction-$runtime.json"
    extra="; merging the table through the API: $(($(now_ms) - t)) ms"
  fi
  sleep 5
  local started rate
  started="$(grep -o 'started in [0-9.]*s' "$MEDALLION_HOME/logs/$service-service.log" | tail -n 1 | tr -dc '0-9.')"
  rate="$(awk -v n="$work_items" -v ms=$((drained - ready)) 'BEGIN {printf "%.0f", (ms > 0 ? n * 1000 / ms : 0)}')"
  printf '| %s | %s | %s s | %d ms | %s ms | %d ms | %s %s/s | %d MiB | %d MiB |%s\n' "$service" "$runtime" \
    "$started" "$ready" "${first:-?}" "$drained" "$rate" "$unit" $(($(rss_kb "$pid" VmRSS) / 1024)) \
    $(($(rss_kb "$pid" VmHWM) / 1024)) "$extra"
  "$LOCAL/services.sh" stop "$service" >/dev/null
}

work="$(mktemp -d)"
trap 'rm -rf "$work"; "$LOCAL/services.sh" stop >/dev/null 2>&1 || true; "$LOCAL/stack.sh" stop >/dev/null 2>&1 || true' EXIT
for ((m = 0; m < MESSAGES; m++)); do write_message "$m"; done
results="$ROOT/bench/results/runtimes-$(date -u +%Y%m%dT%H%M%SZ).md"
mkdir -p "$(dirname "$results")"
{
  echo "$MESSAGES producer messages of $RECORDS records, $(nproc) cores, $(date -u +%Y-%m-%d)"
  echo
  echo "| service | runtime | started | ready | first message | queue drained | rate | idle RSS | peak RSS |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
} | tee "$results"
for runtime in "${RUNTIMES[@]}"; do
  "$LOCAL/services.sh" stop >/dev/null
  "$LOCAL/stack.sh" stop --purge >/dev/null 2>&1 || true
  "$LOCAL/stack.sh" start >/dev/null 2>&1
  eval "$("$LOCAL/stack.sh" env)"
  for ((m = 0; m < MESSAGES; m++)); do
    sqs medallion-ingest --data-urlencode Action=SendMessage --data-urlencode "MessageBody@$work/message-$m.json" \
      -d MessageAttribute.1.Name=dataset -d MessageAttribute.1.Value.DataType=String \
      -d MessageAttribute.1.Value.StringValue=sales -o /dev/null
  done
  total=$((MESSAGES * RECORDS))
  stage "$runtime" ingest "$total" records | tee -a "$results"
  stage "$runtime" transform "$total" records | tee -a "$results"
  stage "$runtime" compaction "$(depth medallion-compaction)" messages | tee -a "$results"
  stage "$runtime" catalog "$(depth medallion-catalog)" messages | tee -a "$results"
done
echo "results: $results"
