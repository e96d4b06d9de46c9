#!/usr/bin/env bash
# Load benchmark of the main reads and writes with wrk, next to /healthz in the same run.
# Builds Release, starts `cxco serve --demo` on a fresh SQLite database (rate limits off,
# access log to /dev/null), seeds agents and calls, then runs wrk against each endpoint and
# prints a Markdown table (requests/s, p50, p99) and the server's peak RSS.
#   bench/run.sh                     # 10 s an endpoint, 2 threads, 64 connections
#   DURATION=5s CONNECTIONS=32 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --with-bench-tools
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
ninja -C build-release -j2 cxco >/dev/null

duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
port=${PORT:-18765}
work=$(mktemp -d /tmp/cxco-bench.XXXXXX)
api="http://127.0.0.1:$port"
export CXCO_LISTEN="127.0.0.1:$port" CXCO_DATABASE_URL="sqlite://$work/cxco.db" CXCO_ADMIN_KEY=bench-admin \
  CXCO_RATE_LIMIT_PER_SECOND=0 CXCO_ELEVENLABS_WEBHOOK_SECRET=wsec_bench CXCO_LOG_FORMAT=json
build-release/cxco serve --demo >"$work/out.txt" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.1; done
key=$(awk '/user key:/ {print $3}' "$work/out.txt")

agent='{"name":"Bench agent","personality":"You are a helpful assistant.","opening_line":"Hello!","voice_id":1}'
for _ in $(seq 40); do curl -sf -H "X-API-Key: $key" -X POST "$api/api/agents/" -d "$agent" >/dev/null; done
curl -sf -H "X-API-Key: $key" -X POST "$api/api/agents/1/publish" -d '{"country_code":"ZA"}' >/dev/null
build-release/cxco dev simulate-call --agent-id 1 --count 200 >/dev/null
conversation=$(curl -sf -H "X-API-Key: $key" "$api/api/conversations/?limit=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/')
# A named key limited to agent 1: the same request as the user key's, through the scope check,
# the agent restriction and the last-use note.
scoped=$(curl -sf -H "X-API-Key: $key" -X POST "$api/api/keys/" \
  -d '{"name":"Bench","scopes":["agents:read"],"agent_ids":[1]}' | sed -E 's/.*"key":"([^"]+)".*/\1/')

cat >"$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '$agent'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "$key"
LUA
cat >"$work/get.lua" <<LUA
wrk.headers["X-API-Key"] = "$key"
LUA
cat >"$work/get-scoped.lua" <<LUA
wrk.headers["X-API-Key"] = "$scoped"
LUA

run() {  # name, script, path
  local out rps p50 p99 method=GET
  [[ $2 == *post.lua ]] && method=POST
  out=$(wrk -t2 -c"$connections" -d"$duration" --latency -s "$2" "$api$3")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then rps="$rps (non-2xx: $(awk '/Non-2xx/ {print $5}' <<<"$out"))"; fi
  printf '| %s | `%s %s` | %s | %s | %s |\n' "$1" "$method" "$3" "$rps" "$p50" "$p99"
}

echo "wrk -t2 -c$connections -d$duration, $(nproc) cores shared by wrk and the server, $(date -u +%F)"
echo
echo "| endpoint | request | requests/s | p50 | p99 |"
echo "|---|---|---|---|---|"
run "health" "$work/get.lua" /healthz
run "current user" "$work/get.lua" /api/users/me
run "agent" "$work/get.lua" /api/agents/1
run "agent (scoped key)" "$work/get-scoped.lua" /api/agents/1
run "agent list" "$work/get.lua" "/api/agents/?limit=30"
run "conversation list" "$work/get.lua" "/api/conversations/?limit=30"
run "conversation detail" "$work/get.lua" "/api/conversations/$conversation"
run "usage summary" "$work/get.lua" /api/usage/summary
run "agent create" "$work/post.lua" /api/agents/
run "health (again)" "$work/get.lua" /healthz
echo
echo "server threads: $(awk '/Threads/ {print $2}' /proc/$pid/status); peak RSS: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status)"
