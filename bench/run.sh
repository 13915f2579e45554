#!/usr/bin/env bash
# bench/run.sh: the benchmarks of BENCHMARKS.md in one command. Prints a Markdown report and
# appends it to BENCHMARKS.md with the machine, the date and the command.
#
#   bench/run.sh                 full size: 10,000 documents, a 10-million-row warehouse, the peer
#   bench/run.sh --tiny          CI size: every step once on tiny data, no peer, nothing appended
#   options: --docs N --rows N --runs N --rates "50 200 800" --duration 20s --[no-]peer --no-append
#
# Work files (the corpus, the warehouse, PostgreSQL's data) stay in $JIXIAO_BENCH_DIR
# (default /tmp/jixiao-bench) so a second run reuses them; remove the folder to start over.
# Everything listens on 127.0.0.1 only. Needs Go; the serving step installs vegeta with
# `go install`, the peer step installs PostgreSQL (apt) and PostGraphile (npm) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

steps="ingest analytics serving peer" pgbin="" docs=10000 rows=10000000 runs=7 rates="50 200 800" duration=20s cold_rate=1 cold_duration=60s peer=1 append=1 tiny=0
while [ $# -gt 0 ]; do
  case "$1" in
    --tiny) tiny=1 docs=24 rows=20000 runs=2 rates="20" duration=2s cold_rate=5 cold_duration=2s peer=0 append=0 ;;
    --docs) docs=$2; shift ;;
    --rows) rows=$2; shift ;;
    --runs) runs=$2; shift ;;
    --rates) rates=$2; shift ;;
    --duration) duration=$2; shift ;;
    --no-peer) peer=0 ;;
    --peer) peer=1 ;;
    --no-append) append=0 ;;
    --steps) steps=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

work=${JIXIAO_BENCH_DIR:-/tmp/jixiao-bench}
[ "$tiny" = 1 ] && work=$(mktemp -d)
mkdir -p "$work/corpus-$docs"
report=$(mktemp)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -f "$work/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true
  fi
  [ "$tiny" = 1 ] && rm -rf "$work"
  rm -f "$report"
}
trap cleanup EXIT

export JIXIAO_BENCH_DOCS=$docs JIXIAO_BENCH_ROWS=$rows JIXIAO_BENCH_RUNS=$runs
export JIXIAO_BENCH_CORPUS=$work/corpus-$docs JIXIAO_BENCH_WAREHOUSE=$work/analytics-$rows.duckdb
export JIXIAO_BENCH_REPORT=$report

{
  echo
  echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- machine: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GiB;" \
    "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine)"
  echo "- $(go version | cut -d' ' -f3-), DuckDB via duckdb-go $(go list -m -f '{{.Version}}' github.com/duckdb/duckdb-go/v2); commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- command: \`bench/run.sh$( [ "$tiny" = 1 ] && echo ' --tiny')\` ($docs documents, $rows indicator rows, median of $runs runs)"
} >>"$report"

step() { echo "== $*" >&2; }

# jq and curl read the serving results; Debian has both.
for tool in jq curl; do
  if ! command -v "$tool" >/dev/null; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$tool" >&2
  fi
done

want() { [[ " $steps " == *" $1 "* ]]; }
benches=()
want ingest && benches+=(BenchmarkIngest)
want analytics && benches+=(BenchmarkAnalytics BenchmarkHandSQL BenchmarkDashboard) # BenchmarkHandSQL fails on any answer that differs from its hand-written SQL; BenchmarkDashboard loads the explorer in Chromium
if [ ${#benches[@]} -gt 0 ]; then
  step "go test -bench: ${benches[*]}"
  go test -run '^$' -bench "^($(IFS='|'; echo "${benches[*]}"))\$" -benchtime 1x -timeout 120m . >&2
fi
if ! want analytics && { want serving || want peer; } && [ ! -f "$JIXIAO_BENCH_WAREHOUSE.complete-$rows" ]; then
  echo "no analytics warehouse of $rows rows in $work: run the analytics step first" >&2
  exit 1
fi

if want serving; then
  step "serving: open-loop load with vegeta at 32 concurrent clients"
  vegeta=$(command -v vegeta || true)
  if [ -z "$vegeta" ]; then
    GOFLAGS= go install github.com/tsenart/vegeta/v12@v12.13.0 >&2
    vegeta=$(go env GOPATH)/bin/vegeta
  fi
  go build -o "$work/jixiao" .
  port=$((20000 + RANDOM % 20000))
  "$work/jixiao" serve --db "$JIXIAO_BENCH_WAREHOUSE" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  url="http://127.0.0.1:$port/graphql"
  mkdir -p "$work/targets"
  # A target per query: light ones (a unit's page of projects, the __typename baseline) and
  # heavy ones (the grouped queries of a dashboard, one per year).
  body() { jq -cn --arg q "$1" '{query: $q}' >"$work/targets/$2.json"; printf 'POST %s\nContent-Type: application/json\n@%s\n\n' "$url" "$work/targets/$2.json"; }
  codes=$(curl -sf "$url" -H 'Content-Type: application/json' -d '{"query":"{ units { code } }"}' | jq -r '.data.units[:40][].code')
  body '{ __typename }' typename >"$work/baseline.txt"
  {
    i=0
    for code in $codes; do
      body "{ projects(filter: {unit: {eq: \"$code\"}, year: {eq: 2024}}, first: 5) { totalCount nodes { name budget { total } } } }" "light-$i"
      i=$((i + 1))
    done
    for year in 2019 2020 2021 2022 2023 2024; do
      body "{ projectGroups(filter: {year: {eq: $year}}, groupBy: [UNIT], measures: [COUNT, BUDGET_TOTAL_SUM], orderBy: [{measure: BUDGET_TOTAL_SUM, direction: DESC}], limit: 20, others: true) { groups { key { unit { name } } values { measure value } } others { values { measure value } } } }" "heavy-budget-$year"
      body "{ indicatorGroups(filter: {year: {eq: $year}}, groupBy: [LEVEL1_CANONICAL, LEVEL2_CANONICAL, KIND], measures: [COUNT, PROJECTS]) { table { rows } } }" "heavy-mix-$year"
      body "{ indicatorGroups(filter: {year: {eq: $year}, level2Canonical: {eq: \"服务对象满意度指标\"}, normalizedUnit: {eq: \"%\"}}, groupBy: [UNIT], measures: [VALUE_MEDIAN], limit: 50) { groups { key { unit { code } } values { measure value } } } }" "heavy-satisfaction-$year"
      body "{ costCeilings(filter: {year: {eq: $year}}, coverageBelow: \"50\", limit: 10) { totals { projects withCeilings coverage } projects { project { name } coverage } } }" "heavy-ceilings-$year"
    done
  } >"$work/mix.txt"
  nlight=$(echo "$codes" | wc -w)
  serve_rows=""
  for rate in $rates; do
    for kind in baseline mix; do
      "$vegeta" attack -targets "$work/$kind.txt" -rate "$rate/s" -duration "$duration" -workers 32 -max-workers 32 -timeout 30s \
        | "$vegeta" report -type json >"$work/$kind-$rate.json"
    done
    for kind in baseline mix; do
      # Errors are requests without a 200 (timeouts, refused connections, 5xx); GraphQL errors
      # in a 200 answer are counted by the Go benchmarks, which fail on any.
      serve_rows+=$(jq -r --arg kind "$kind" --arg rate "$rate" --slurpfile base "$work/baseline-$rate.json" '
        def r1: . * 10 | round / 10;
        "| \(if $kind == "baseline" then "`{ __typename }` (baseline)" else "mix" end) | \($rate)/s | \(.throughput | r1)/s | \(.throughput / $base[0].throughput * 100 | round)% | \(.latencies["50th"] / 1e6 | r1) | \(.latencies["99th"] / 1e6 | r1) | \(.requests - (.status_codes["200"] // 0)) of \(.requests) |"' \
        "$work/$kind-$rate.json")$'\n'
    done
  done
  # The same mix with both caches off (`serve --cache=false`): every request runs its SQL, so the
  # rate is low; this is what a first visit of each query costs under load.
  kill "${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
  "$work/jixiao" serve --db "$JIXIAO_BENCH_WAREHOUSE" --addr "127.0.0.1:$port" --cache=false >>"$work/serve.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
    sleep 0.1
  done
  "$vegeta" attack -targets "$work/mix.txt" -rate "$cold_rate/s" -duration "$cold_duration" -workers 32 -max-workers 32 -timeout 60s \
    | "$vegeta" report -type json >"$work/mix-nocache.json"
  serve_rows+=$(jq -r --arg rate "$cold_rate" '
    def r1: . * 10 | round / 10;
    "| mix, caches off (`serve --cache=false`) | \($rate)/s | \(.throughput | r1)/s | | \(.latencies["50th"] / 1e6 | r1) | \(.latencies["99th"] / 1e6 | r1) | \(.requests - (.status_codes["200"] // 0)) of \(.requests) |"' \
    "$work/mix-nocache.json")$'\n'
  {
    echo
    echo "Serving: \`jixiao serve\` on the analytics warehouse, vegeta open-loop at fixed rates for $duration, at most 32 requests in flight (32 clients); the mix is $nlight light queries (a unit's first page of projects) and 24 heavy grouped queries (budget top 20 by unit, indicator mix, median satisfaction, cost ceilings; one per year), in turn; caches on (the default) and kept across the rates, so only the first request of each heavy query runs its SQL; the last row restarts the server with both caches off"
    echo
    echo "| queries | rate asked | throughput | of the baseline's | p50 ms | p99 ms | errors |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s' "$serve_rows"
  } >>"$report"
  kill "${pids[-1]}" 2>/dev/null || true
  wait "${pids[-1]}" 2>/dev/null || true
fi

if [ "$peer" = 1 ] && want peer; then
  step "peer: PostgreSQL + PostGraphile with @graphile/pg-aggregates"
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  (cd bench/peer && [ -d node_modules/@graphile/pg-aggregates ] || npm ci --no-audit --no-fund --silent >&2)
  export="$work/export-$rows"
  if [ ! -f "$export/indicators.csv" ]; then
    "$work/jixiao" export --db "$JIXIAO_BENCH_WAREHOUSE" --format csv --out "$export" >&2
  fi
  chmod -R a+rX "$export" && chmod a+x "$work"
  pgport=$((40000 + RANDOM % 10000))
  fresh=0
  if [ ! -f "$work/pg/PG_VERSION" ] || [ ! -f "$work/pg/.loaded-$rows" ]; then
    rm -rf "$work/pg" && mkdir -p "$work/pg" && chown postgres "$work/pg"
    runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -A trust -U postgres >/dev/null
    fresh=1
  fi
  mkdir -p "$work/pgsock" && chown postgres "$work/pgsock"
  # Room for the data in memory and parallel scans, as one would set PostgreSQL up for analytics.
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w -o \
    "-p $pgport -k $work/pgsock -c listen_addresses=127.0.0.1 -c shared_buffers=4GB -c work_mem=256MB -c effective_cache_size=12GB -c max_parallel_workers_per_gather=2 -c fsync=off -c synchronous_commit=off" start >&2
  psql=(runuser -u postgres -- "$pgbin/psql" -h "$work/pgsock" -p "$pgport" -U postgres -v ON_ERROR_STOP=1 -q)
  if [ "$fresh" = 1 ]; then
    "${psql[@]}" -c 'CREATE DATABASE jixiao' >&2
    "${psql[@]}" -d jixiao -f bench/peer/schema.sql >&2
    for t in units projects indicators; do
      "${psql[@]}" -d jixiao -c "\\copy $t FROM '$export/$t.csv' WITH (FORMAT csv, HEADER true)" >&2
    done
    "${psql[@]}" -d jixiao -f bench/peer/indexes.sql >&2
    touch "$work/pg/.loaded-$rows"
  fi
  gport=$((50000 + RANDOM % 10000))
  (cd bench/peer && exec node node_modules/.bin/postgraphile -c "postgres://postgres@127.0.0.1:$pgport/jixiao" \
    --append-plugins @graphile/pg-aggregates,@graphile-contrib/pg-simplify-inflector \
    --host 127.0.0.1 --port "$gport" --disable-query-log --body-size-limit 10MB) >"$work/postgraphile.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$gport/graphql" -H 'Content-Type: application/json' -d '{"query":"{ __typename }"}' >/dev/null && break
    sleep 0.2
  done
  JIXIAO_PEER_URL="http://127.0.0.1:$gport/graphql" go test -run '^$' -bench '^BenchmarkPeer$' -benchtime 1x -timeout 120m . >&2
fi

cat "$report"
if [ "$append" = 1 ]; then
  cat "$report" >>BENCHMARKS.md
  echo "appended to BENCHMARKS.md" >&2
fi
