#!/usr/bin/env bash
# The main job, on one machine: build if needed, start the local S3 + SQS stack and the four services, send a
# generated sales dataset (with some bad records planted) through the HTTP API, wait until it is in Silver, and
# show what landed where, read back by DuckDB; compact Silver and check it again; show a registered-mode table's
# partition moved to a new generation folder by compaction, and the catalog following it; show the Athena DDL.
# Each run starts from an empty lake under $MEDALLION_HOME (default .medallion/).
#
#   deploy/local/demo.sh [--native] [--records N]   (default 20000 records; stop everything with demo.sh stop)
#
# --native runs the services' native executables (build them first with deploy/local/native.sh build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export MEDALLION_HOME="${MEDALLION_HOME:-$ROOT/.medallion}"
LOCAL="$ROOT/deploy/local"
API_KEY="${MEDALLION_API_KEY:-local-demo-key}"
export MEDALLION_API_KEY="$API_KEY"
RECORDS=20000
BATCH=2500

if [[ "${1:-}" == "stop" ]]; then
  "$LOCAL/services.sh" stop
  "$LOCAL/stack.sh" stop
  exit 0
fi
while (($#)); do
  case "$1" in
    --records) RECORDS="${2:?--records needs a number}"; shift 2 ;;
    # the native executables deploy/local/native.sh built, instead of the JVM jars
    --native) export MEDALLION_RUNTIME=native; shift ;;
    *) echo "demo.sh: unknown argument '$1' (usage: demo.sh [--native] [--records N] | stop)" >&2; exit 2 ;;
  esac
done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

command -v java >/dev/null || { echo "demo.sh: Java 17+ is required: install a JDK and put java on PATH" >&2; exit 1; }
command -v curl >/dev/null || { echo "demo.sh: curl is required" >&2; exit 1; }

missing=0
if [[ "${MEDALLION_RUNTIME:-jvm}" == native ]]; then
  "$LOCAL/services.sh" built # native executables are built on purpose (deploy/local/native.sh build), never here
else
  "$LOCAL/services.sh" built 2>/dev/null || missing=1
fi
[[ -d "$ROOT/bench/target/classes" ]] || missing=1
if ((missing)); then
  step "Building (first run only; ./mvnw install -DskipTests)"
  (cd "$ROOT" && ./mvnw -B -q install -DskipTests)
fi

step "Starting the local S3 (S3Proxy) and SQS (ElasticMQ) servers, with an empty lake"
"$LOCAL/services.sh" stop >/dev/null
"$LOCAL/stack.sh" stop --purge >/dev/null # every demo run starts from an empty lake, so its counts are its own
"$LOCAL/stack.sh" start
eval "$("$LOCAL/stack.sh" env)"

step "Starting the four services"
# compaction merges on request here (the step below), so the report reads a lake that stands still; in production
# it waits for files to settle (10 min) and runs on transform events and a sweep (docs/compaction.md)
export MEDALLION_COMPACTION_SETTLE="${MEDALLION_COMPACTION_SETTLE:-0s}"
export MEDALLION_COMPACTION_MIN_FILES="${MEDALLION_COMPACTION_MIN_FILES:-2}"
export MEDALLION_COMPACTION_DUE_CHECK_INTERVAL="${MEDALLION_COMPACTION_DUE_CHECK_INTERVAL:-1h}"
export MEDALLION_COMPACTION_SWEEP_INTERVAL="${MEDALLION_COMPACTION_SWEEP_INTERVAL:-off}"
"$LOCAL/services.sh" start
INGEST="http://127.0.0.1:${MEDALLION_INGEST_PORT:-8081}"
CATALOG="http://127.0.0.1:${MEDALLION_CATALOG_PORT:-8084}"
COMPACTION="http://127.0.0.1:${MEDALLION_COMPACTION_PORT:-8083}"

step "Generating $RECORDS sales events (2% of them bad on purpose)"
work="$MEDALLION_HOME/demo"
rm -rf "$work" && mkdir -p "$work"
(cd "$ROOT" && ./mvnw -B -q -pl bench exec:java \
  -Dexec.args="generate --records $RECORDS --seed $RANDOM --bad-fraction 0.02 --out $work/sales.ndjson --stats $work/stats.json" >/dev/null)
echo "  $(grep -o '"records":[0-9]*' "$work/stats.json" | cut -d: -f2) records; bad on purpose: $(grep -o '"bad":{[^}]*}' "$work/stats.json")"

step "Sending them to $INGEST/v1/datasets/sales/records in batches of $BATCH"
split -l "$BATCH" "$work/sales.ndjson" "$work/batch-"
batches=("$work"/batch-*)
for i in "${!batches[@]}"; do
  f="${batches[$i]}"
  if ((i == ${#batches[@]} / 2)); then
    sleep 4 # a pause longer than transform's 2 s linger: two runs, so Silver has small files for compaction
  fi
  code="$(curl -s -o "$f.response" -w '%{http_code}' -H "Authorization: Bearer $API_KEY" \
    -H 'Content-Type: application/x-ndjson' --data-binary "@$f" "$INGEST/v1/datasets/sales/records")"
  [[ "$code" == 200 ]] || { echo "ingest answered $code: $(cat "$f.response")" >&2; exit 1; }
  echo "  $(wc -l <"$f") lines -> $(sed -E 's/.*"bronzeKey":"([^"]+)".*/\1/' "$f.response")"
done
echo "  without the API key: $(curl -s -o /dev/null -w '%{http_code}' --data-binary '{}' \
  -H 'Content-Type: application/x-ndjson' "$INGEST/v1/datasets/sales/records")"

step "Reading the lake back with DuckDB"
lines="$(grep -c '' "$work/sales.ndjson")"
stat() { grep -o "\"$1\":[0-9.]*" "$work/stats.json" | head -1 | cut -d: -f2; }
java -cp "$MEDALLION_DUCKDB_JAR" "$LOCAL/LakeReport.java" "$MEDALLION_S3_DATA_DIR/$MEDALLION_BUCKET" \
  --expect-records "$lines" --timeout 180 \
  --expect-good "$(stat good_rows)" --expect-sum "$(stat good_amount_sum)" --expect-bad "$(stat bad_rows)"

step "Compacting Silver: POST $COMPACTION/v1/datasets/sales/compactions"
curl -sf -X POST -H "Authorization: Bearer $API_KEY" "$COMPACTION/v1/datasets/sales/compactions" -o "$work/compaction.json"
count() { grep -o "$1" "$work/compaction.json" | wc -l || true; }
merges="$(count '"runId"')"
written="$(count '"key":"silver/')"
merged="$(($(count '"silver/sales/[^"]*"') - written))"
echo "  $merges partitions merged: $merged small files replaced by $written (details: $work/compaction.json)"
java -cp "$MEDALLION_DUCKDB_JAR" "$LOCAL/LakeReport.java" "$MEDALLION_S3_DATA_DIR/$MEDALLION_BUCKET" --only verdict \
  --expect-good "$(stat good_rows)" --expect-sum "$(stat good_amount_sum)" --expect-bad "$(stat bad_rows)"
step "Registered partitions: compaction moves refunds to a new generation folder and the catalog follows"
# refunds registers its partitions in the catalog (for engines without projection): three transform runs leave three
# small files in one day; compaction merges them into a new generation folder and points the catalog at it, while the
# old files stay readable for queries that had already found them (deleted after the grace period)
refunds="$MEDALLION_S3_DATA_DIR/$MEDALLION_BUCKET/silver/refunds/year=2026/month=11/day=20"
for run in 1 2 3; do
  for i in $(seq 1 100); do
    printf '{"refund_id":"r-%d-%d","order_id":"o-%d","amount":"%d.50","ts":"2026-11-20T1%d:00:00Z"}\n' \
      "$run" "$i" "$i" "$i" "$run"
  done >"$work/refunds-$run.ndjson"
  curl -sf -o /dev/null -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/x-ndjson' \
    --data-binary "@$work/refunds-$run.ndjson" "$INGEST/v1/datasets/refunds/records"
  for _ in $(seq 1 60); do # one transform run at a time: wait for its file
    (($(find "$refunds" -name '*.parquet' 2>/dev/null | wc -l) >= run)) && break
    sleep 1
  done
done
echo "  300 refunds in $(find "$refunds" -maxdepth 1 -name '*.parquet' | wc -l) files of $refunds/"
curl -sf -X POST -H "Authorization: Bearer $API_KEY" "$COMPACTION/v1/datasets/refunds/compactions" \
  -o "$work/refunds-compaction.json"
registered="$MEDALLION_S3_DATA_DIR/$MEDALLION_BUCKET/catalog/lake/refunds/partitions/year=2026/month=11/day=20.json"
location=""
for _ in $(seq 1 60); do
  location="$(grep -o '"Location":"[^"]*_gen=[^"]*"' "$registered" 2>/dev/null | cut -d'"' -f4 || true)"
  [[ -n "$location" ]] && break
  sleep 1
done
[[ -n "$location" ]] || { echo "the catalog never registered the moved partition: see $MEDALLION_HOME/logs" >&2; exit 1; }
echo "  the catalog registers the partition at $location"
folder="$MEDALLION_S3_DATA_DIR/$MEDALLION_BUCKET/${location#s3://*/}"
java -cp "$MEDALLION_DUCKDB_JAR" "$LOCAL/LakeReport.java" "$MEDALLION_S3_DATA_DIR/$MEDALLION_BUCKET" \
  --folder "$folder" --expect-rows 300
echo "  the old folder still holds $(find "$refunds" -maxdepth 1 -name '*.parquet' | wc -l) files for queries that found it before the move"

step "Athena DDL of lake.sales, from catalog-service"
for _ in $(seq 1 60); do
  curl -sf "$CATALOG/v1/databases/lake/tables/sales/ddl" -o "$work/ddl.sql" && break
  sleep 1
done
cat "$work/ddl.sql"

step "Done"
cat <<MSG
  Lake files:        $MEDALLION_S3_DATA_DIR/$MEDALLION_BUCKET
  Service logs:      $MEDALLION_HOME/logs
  Metrics / health:  $INGEST/q/metrics   $INGEST/q/health/ready   (ports 8081-8084)
  Use the AWS CLI:   eval "\$(deploy/local/stack.sh env)"; aws --endpoint-url \$MEDALLION_S3_ENDPOINT s3 ls s3://lake/silver/ --recursive
  Stop everything:   deploy/local/demo.sh stop
MSG
