#!/usr/bin/env bash
# JVM versus native, per service: start-up, idle RSS, time to the first processed message, throughput, RSS under work.
#
#   bench/runtimes.sh [jvm] [native]        (default: both; build first: ./mvnw install -DskipTests, and
#                                            deploy/local/native.sh build)
#
# Each runtime gets a fresh local lake, and the services run one at a time (services.sh on ports 8081-8084).
#   Start-up: each service starts MEDALLION_BENCH_STARTS times (5) with nothing to do. started: Quarkus's own
#   "started in" (to listening, from main natively, from the application's first class on the JVM); ready: process
#   start to the first 200 from /q/health/ready; both as median (min-max); idle RSS: VmRSS 5 s after the last start
#   is ready.
#   Work: MEDALLION_BENCH_MESSAGES producer messages (500) of MEDALLION_BENCH_RECORDS records (2,000) wait on
#   medallion-ingest, and each service runs on what the one before left in its queue: ingest stores them in Bronze
#   and announces the objects; transform promotes them to Silver in runs of 2 objects (so each day partition gets
#   several files) and announces the files; compaction takes its events, then merges the table through its API;
#   catalog takes its events. first message / queue drained: process start to the first message deleted from its
#   queue (work done and stored) / to the queue empty; rate: the work over (drained - ready), or over the merge call
#   for compaction; RSS after: VmRSS 5 s after; peak RSS: VmHWM.
# Times are sampled by polling every ~10 ms, good to ~20 ms. Results: bench/results/runtimes-*.md (not committed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/deploy/local"
export MEDALLION_HOME="${MEDALLION_BENCH_HOME:-$ROOT/.medallion-bench}"
export MEDALLION_API_KEY="${MEDALLION_API_KEY:-local-demo-key}"
MESSAGES="${MEDALLION_BENCH_MESSAGES:-500}"
RECORDS="${MEDALLION_BENCH_RECORDS:-2000}"
STARTS="${MEDALLION_BENCH_STARTS:-5}"
RUNTIMES=("$@")
((${#RUNTIMES[@]})) || RUNTIMES=(jvm native)
((STARTS >= 1)) || { echo "runtimes.sh: MEDALLION_BENCH_STARTS must be 1 or more" >&2; exit 1; }
# queue batches are stored after 1 s (the default, 300 s, would time the interval); compaction merges on request
export MEDALLION_INGEST_BUFFER_INTERVAL=1s
# transform runs of a few Bronze objects each, so each day partition gets several files for compaction to merge
export MEDALLION_TRANSFORM_BATCH_MAX_SOURCES=2
export MEDALLION_COMPACTION_SETTLE=0s MEDALLION_COMPACTION_MIN_FILES=2
export MEDALLION_COMPACTION_DUE_CHECK_INTERVAL=1h MEDALLION_COMPACTION_SWEEP_INTERVAL=off

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# Waiting forks nothing while a service starts: on 2 cores, a process forked every 10 ms (a curl, a sleep) slows
# a native start-up by 30-40 ms, a third of it (measured), so the harness would time itself.
exec {tick}<> <(:)
nap() { read -r -t "$1" -u "$tick" || true; }

# whether GET $2 on port $1 answers 200, through bash's own /dev/tcp
answers_200() {
  local fd status=""
  { exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd"
  read -r -t 2 -u "$fd" status || true
  exec {fd}<&-
  [[ "$status" == "HTTP/1.1 200"* ]]
}
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
  awk -v m="$1" -v n="$RECORDS" 'BEGIN {
    printf "["
    for (i = 0; i < n; i++) {
      printf "%s{\"order_id\":\"m%d-%d\",\"amount\":%d.25,\"customer_id\":\"c%d\",\"ts\":\"2026-11-%02dT10:00:00Z\"}",
        (i ? "," : ""), m, i, i % 50, i % 97, 1 + i % 10
    }
    printf "]"
  }' >"$work/message-$1.json"
}

# starts one service; sets pid once its process exists
launch() {
  local runtime="$1" service="$2" pid_file="$MEDALLION_HOME/run/$2-service.pid"
  rm -f "$pid_file"
  MEDALLION_RUNTIME="$runtime" "$LOCAL/services.sh" start "$service" >/dev/null &
  starter=$!
  until [[ -s "$pid_file" ]]; do
    kill -0 "$starter" 2>/dev/null || die "$service-service did not start; see $MEDALLION_HOME/logs/$service-service.log"
    nap 0.005
  done
  read -r pid <"$pid_file"
}

# sets start (ms since the epoch, the process's start) and ready_ms (ms from there to the first 200 from
# /q/health/ready on port $2); nothing forks until the service answers
await_ready() {
  local port="$2" now
  until answers_200 "$port" /q/health/ready; do
    kill -0 "$pid" 2>/dev/null || die "$1-service exited; see $MEDALLION_HOME/logs/$1-service.log"
    nap 0.01
  done
  now=$((${EPOCHREALTIME/./} / 1000))
  start="$(process_start_ms "$pid")"
  ready_ms=$((now - start))
}

stop_service() {
  wait "$starter"
  "$LOCAL/services.sh" stop "$1" >/dev/null
}

# the median of numbers, with their range when there are several: "0.091 (0.088-0.097)"
spread() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1}
    END {m = v[int((NR + 1) / 2)]; if (NR == 1) print m; else printf "%s (%s-%s)", m, v[1], v[NR]}'
}

# start-up with nothing to do, STARTS times (one start says little: it varies run to run): Quarkus's own start
# time, readiness, and RSS once the last start has been idle for 5 s
idle_row() {
  local runtime="$1" service="$2" i rss started=() ready=() port
  port="$(port_of "$service")"
  for ((i = 1; i <= STARTS; i++)); do
    launch "$runtime" "$service"
    await_ready "$service" "$port"
    ready+=("$ready_ms")
    if ((i == STARTS)); then
      sleep 5
      rss=$(($(rss_kb "$pid" VmRSS) / 1024))
    fi
    started+=("$(grep -o 'started in [0-9.]*s' "$MEDALLION_HOME/logs/$service-service.log" | tail -n 1 | tr -dc '0-9.')")
    stop_service "$service"
  done
  printf '| %s | %s | %s s | %s ms | %d MiB |\n' "$service" "$runtime" "$(spread "${started[@]}")" \
    "$(spread "${ready[@]}")" "$rss"
}

# the service on what waits in its queue: first message and queue drained from process start, the rate from
# readiness on, RSS 5 s after and at its peak
work_row() {
  local runtime="$1" service="$2" items="$3" unit="$4" queue="medallion-$2"
  local initial ready first="" drained="" left rate port
  initial="$(depth "$queue")"
  ((initial > 0)) || die "$queue is empty before $service-service starts"
  port="$(port_of "$service")"
  launch "$runtime" "$service"
  await_ready "$service" "$port"
  ready=$ready_ms
  while [[ -z "$drained" ]]; do
    left="$(depth "$queue")"
    [[ -z "$first" ]] && ((left < initial)) && first=$(($(now_ms) - start))
    ((left == 0)) && drained=$(($(now_ms) - start))
    kill -0 "$pid" 2>/dev/null || die "$service-service exited; see $MEDALLION_HOME/logs/$service-service.log"
    sleep 0.01
  done
  rate="$(awk -v n="$items" -v ms=$((drained - ready)) 'BEGIN {printf "%.0f", (ms > 0 ? n * 1000 / ms : 0)}')"
  if [[ "$service" == compaction ]]; then
    # its events only mark partitions due; the merge itself is timed through the API
    local t0 t1
    t0="$(now_ms)"
    curl -sf -X POST -H "Authorization: Bearer $MEDALLION_API_KEY" \
      "http://127.0.0.1:$(port_of compaction)/v1/datasets/sales/compactions" -o "$work/compaction-$runtime.json"
    t1="$(now_ms)"
    rate="$(awk -v n="$items" -v ms=$((t1 - t0)) 'BEGIN {printf "%.0f", (ms > 0 ? n * 1000 / ms : 0)}')"
    unit="records merged"
    echo "$runtime compaction: $(grep -o '"inputs":\[[^]]*\]' "$work/compaction-$runtime.json" | grep -o '\.parquet' \
      | wc -l) files merged in $((t1 - t0)) ms" >&2
  fi
  sleep 5
  printf '| %s | %s | %s ms | %d ms | %s %s/s | %d MiB | %d MiB |\n' "$service" "$runtime" "${first:-?}" \
    "$drained" "$rate" "$unit" $(($(rss_kb "$pid" VmRSS) / 1024)) $(($(rss_kb "$pid" VmHWM) / 1024))
  stop_service "$service"
}

fresh_stack() {
  "$LOCAL/services.sh" stop >/dev/null
  "$LOCAL/stack.sh" stop --purge >/dev/null 2>&1 || true
  "$LOCAL/stack.sh" start >/dev/null 2>&1
  eval "$("$LOCAL/stack.sh" env)"
}

work="$(mktemp -d)"
trap 'rm -rf "$work"; "$LOCAL/services.sh" stop >/dev/null 2>&1 || true; "$LOCAL/stack.sh" stop >/dev/null 2>&1 || true' EXIT
for ((m = 0; m < MESSAGES; m++)); do write_message "$m"; done
results="$ROOT/bench/results/runtimes-$(date -u +%Y%m%dT%H%M%SZ).md"
mkdir -p "$(dirname "$results")"
total=$((MESSAGES * RECORDS))
{
  echo "Start-up, nothing to do, $STARTS starts each ($(nproc) cores, $(date -u +%Y-%m-%d)):"
  echo
  echo "| service | runtime | started | ready | idle RSS |"
  echo "| --- | --- | --- | --- | --- |"
} | tee "$results"
for runtime in "${RUNTIMES[@]}"; do
  fresh_stack
  for s in ingest transform compaction catalog; do idle_row "$runtime" "$s" | tee -a "$results"; done
done
if ((MESSAGES == 0)); then # start-up only
  echo "results: $results"
  exit 0
fi
{
  echo
  echo "Work: $MESSAGES producer messages of $RECORDS records ($total records), each service on what the one before left:"
  echo
  echo "| service | runtime | first message | queue drained | rate | RSS after | peak RSS |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
} | tee -a "$results"
for runtime in "${RUNTIMES[@]}"; do
  fresh_stack
  for ((m = 0; m < MESSAGES; m++)); do
    sqs medallion-ingest --data-urlencode Action=SendMessage --data-urlencode "MessageBody@$work/message-$m.json" \
      -d MessageAttribute.1.Name=dataset -d MessageAttribute.1.Value.DataType=String \
      -d MessageAttribute.1.Value.StringValue=sales -o /dev/null
  done
  work_row "$runtime" ingest "$total" records | tee -a "$results"
  work_row "$runtime" transform "$total" records | tee -a "$results"
  work_row "$runtime" compaction "$total" records | tee -a "$results"
  work_row "$runtime" catalog "$(depth medallion-catalog)" messages | tee -a "$results"
done
echo "results: $results"
