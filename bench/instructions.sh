#!/usr/bin/env bash
# CPU instructions the server spends answering a request, by endpoint, counted by valgrind's
# callgrind: the same for the same binary and inputs whatever else the machine is doing, so two
# builds compare exactly where wrk's figures drift with the load of a shared machine.
#
# What is counted is everything under `Api::run` (authentication, guards, the handler, its
# queries and serialization, the access log): the socket work around it is Beast's and the same
# in every build, and the background workers' polling is left out. For each binary and
# endpoint, `cxco serve --demo` runs under callgrind twice on a fresh SQLite database seeded
# like bench/run.sh (40 agents, one published, 40 calls): once without requests, once with N
# requests to the endpoint; the difference over N is the cost of one.
#   bench/instructions.sh                      # this tree's Release build
#   bench/instructions.sh /tmp/old/cxco        # and an older build, side by side
#   N=50 bench/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-bench-tools
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
ninja -C build-release -j2 cxco >/dev/null

binaries=(build-release/cxco "$@")
n=${N:-100}
work=$(mktemp -d /tmp/cxco-instructions.XXXXXX)
trap 'rm -rf "$work"' EXIT
endpoints=(/healthz /api/users/me /api/agents/1 "/api/agents/?limit=30" "/api/conversations/?limit=30"
           /api/conversations/40 /api/usage/summary)

# Instructions under Api::run in a server run: start, seed, then $3 requests to $2.
total() {
  local binary=$1 path=$2 count=$3 dir port key
  dir=$(mktemp -d "$work/run.XXXX")
  port=$((19000 + RANDOM % 1000))
  local -a env=(CXCO_LISTEN="127.0.0.1:$port" CXCO_DATABASE_URL="sqlite://$dir/cxco.db" CXCO_RATE_LIMIT_PER_SECOND=0
                CXCO_LOG_FORMAT=json CXCO_ELEVENLABS_WEBHOOK_SECRET=wsec_bench)
  env "${env[@]}" valgrind --tool=callgrind --callgrind-out-file="$dir/cg.out" "$binary" serve --demo \
    >"$dir/out.txt" 2>/dev/null &
  local pid=$!
  for _ in $(seq 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  key=$(awk '/user key:/ {print $3}' "$dir/out.txt")
  local agent='{"name":"Bench agent","personality":"You are a helpful assistant.","opening_line":"Hello!","voice_id":1}'
  for _ in $(seq 40); do curl -sf -H "X-API-Key: $key" -X POST "http://127.0.0.1:$port/api/agents/" -d "$agent" >/dev/null; done
  curl -sf -H "X-API-Key: $key" -X POST "http://127.0.0.1:$port/api/agents/1/publish" -d '{}' >/dev/null
  env "${env[@]}" "$binary" dev simulate-call --agent-id 1 --count 40 >/dev/null 2>&1
  for _ in $(seq "$count"); do curl -sf -H "X-API-Key: $key" "http://127.0.0.1:$port$path" >/dev/null; done
  kill -TERM "$pid"
  wait "$pid" || true
  callgrind_annotate --inclusive=yes "$dir/cg.out" | awk '/cxco::api::Api::run\(/ {gsub(",", "", $1); print $1; exit}'
}

header="| endpoint"
rule="|---"
for b in "${binaries[@]}"; do header="$header | $b"; rule="$rule|---"; done
echo "instructions per request (callgrind, $n requests each, $(date -u +%F))"
echo
echo "$header |"
echo "$rule|"
declare -A base
for b in "${binaries[@]}"; do base[$b]=$(total "$b" /healthz 0); done
for path in "${endpoints[@]}"; do
  row="| \`GET $path\`"
  for b in "${binaries[@]}"; do row="$row | $(( ($(total "$b" "$path" "$n") - ${base[$b]}) / n ))"; done
  echo "$row |"
done
