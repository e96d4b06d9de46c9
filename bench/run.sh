#!/usr/bin/env bash
# Load benchmark of the main reads and writes with wrk, next to /healthz in the same run.
# Builds Release, starts `cxco serve --demo` on a fresh SQLite database (rate limits off,
# access log to /dev/null), seeds agents and calls, then runs wrk against each endpoint and
# prints a Markdown table (requests/s, p50, p99) and each server's peak RSS.
#
# Given other binaries (an older build, say), each runs beside this tree's build on data
# seeded the same way, and every endpoint is measured on each in turn, so that a comparison
# is made in one run, under the same load on the machine:
#   bench/run.sh                          # this tree's Release build
#   bench/run.sh /tmp/old/cxco            # old and new side by side
#   DURATION=5s CONNECTIONS=32 bench/run.sh
#
# On PostgreSQL: --database-url names a server (any database on it); each server measured gets
# a fresh database of its own there, created with the URL's user and dropped at the end:
#   bench/run.sh --database-url 'postgresql://cxco@/postgres?host=/tmp/pgdev' [/tmp/old/cxco]
set -euo pipefail
cd "$(dirname "$0")/.."

database_url=
others=()
while (($#)); do
  case $1 in
    --database-url) database_url=$2; shift 2 ;;
    *) others+=("$1"); shift ;;
  esac
done

scripts/install-deps.sh --with-bench-tools
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
ninja -C build-release -j2 cxco >/dev/null

binaries=(build-release/cxco "${others[@]}")
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
base_port=${PORT:-18765}
work=$(mktemp -d /tmp/cxco-bench.XXXXXX)
pids=()
databases=()
# The URL of database $1 on the server --database-url names (its path replaced).
database_at() { sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$1#" <<<"$database_url"; }
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  for d in "${databases[@]}"; do psql -q "$database_url" -c "DROP DATABASE IF EXISTS $d" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT

agent='{"name":"Bench agent","personality":"You are a helpful assistant.","opening_line":"Hello!","voice_id":1}'

# Starts binary $2 as server $1 and seeds it; leaves its port, pid and key in the arrays.
start() {
  local i=$1 binary=$2 dir=$work/$1
  mkdir -p "$dir"
  local port=$((base_port + i))
  local url="sqlite://$dir/cxco.db"
  if [[ -n $database_url ]]; then
    local name="cxco_bench_$$_$i"
    psql -q "$database_url" -c "CREATE DATABASE $name" >/dev/null
    databases+=("$name")
    url=$(database_at "$name")
  fi
  local -a env=(CXCO_LISTEN="127.0.0.1:$port" CXCO_DATABASE_URL="$url" CXCO_ADMIN_KEY=bench-admin-key-0123456789
                CXCO_RATE_LIMIT_PER_SECOND=0 CXCO_ELEVENLABS_WEBHOOK_SECRET=wsec_bench CXCO_LOG_FORMAT=json)
  # PostgreSQL nodes share their encryption keys, so the server wants them named: a bench key.
  [[ -n $database_url ]] && env+=(CXCO_ENCRYPTION_KEYS=cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=)
  env "${env[@]}" "$binary" serve --demo >"$dir/out.txt" 2>/dev/null &
  pids[i]=$!
  local api="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.1; done
  local key
  key=$(awk '/user key:/ {print $3}' "$dir/out.txt")
  for _ in $(seq 40); do curl -sf -H "X-API-Key: $key" -X POST "$api/api/agents/" -d "$agent" >/dev/null; done
  curl -sf -H "X-API-Key: $key" -X POST "$api/api/agents/1/publish" -d '{"country_code":"ZA"}' >/dev/null
  env "${env[@]}" "$binary" dev simulate-call --agent-id 1 --count 200 >/dev/null 2>&1
  curl -sf -H "X-API-Key: $key" "$api/api/conversations/?limit=1" | sed -E 's/.*"items":\[\{"id":([0-9]+).*/\1/' >"$dir/conversation"
  printf 'wrk.headers["X-API-Key"] = "%s"\n' "$key" >"$dir/get.lua"
  # A named key limited to agent 1 (builds that have named keys): the same request as the user
  # key's, through the scope check, the agent restriction and the last-use note.
  local scoped
  scoped=$(curl -sf -H "X-API-Key: $key" -X POST "$api/api/keys/" \
    -d '{"name":"Bench","scopes":["agents:read"],"agent_ids":[1]}' | sed -E 's/.*"key":"([^"]+)".*/\1/') || true
  [[ -n $scoped ]] && printf 'wrk.headers["X-API-Key"] = "%s"\n' "$scoped" >"$dir/get-scoped.lua"
  printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["X-API-Key"] = "%s"\n' \
    "'$agent'" "$key" >"$dir/post.lua"
}

for i in "${!binaries[@]}"; do start "$i" "${binaries[$i]}"; done
conversation=$(cat "$work/0/conversation")

measure() {  # server index, script, path -> "requests/s | p50 | p99"
  local out rps
  [[ -f $work/$1/$2 ]] || { printf 'n/a | | '; return; }
  out=$(wrk -t2 -c"$connections" -d"$duration" --latency -s "$work/$1/$2" "http://127.0.0.1:$((base_port + $1))$3")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then rps="$rps (non-2xx: $(awk '/Non-2xx/ {print $5}' <<<"$out"))"; fi
  printf '%s | %s | %s' "$rps" "$(awk '$1 == "50%" {print $2}' <<<"$out")" "$(awk '$1 == "99%" {print $2}' <<<"$out")"
}

run() {  # name, script, path
  local method=GET row
  [[ $2 == post.lua ]] && method=POST
  row="| $1 | \`$method $3\`"
  for i in "${!binaries[@]}"; do row="$row | $(measure "$i" "$2" "$3")"; done
  echo "$row |"
}

echo "wrk -t2 -c$connections -d$duration, $(nproc) cores shared by wrk and the server, $(date -u +%F)," \
  "$([[ -n $database_url ]] && echo PostgreSQL || echo SQLite), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
header="| endpoint | request"
rule="|---|---"
for b in "${binaries[@]}"; do header="$header | $b req/s | p50 | p99"; rule="$rule|---|---|---"; done
echo "$header |"
echo "$rule|"
run "health" get.lua /healthz
run "current user" get.lua /api/users/me
run "agent" get.lua /api/agents/1
run "agent (scoped key)" get-scoped.lua /api/agents/1
run "agent list" get.lua "/api/agents/?limit=30"
run "conversation list" get.lua "/api/conversations/?limit=30"
run "conversation detail" get.lua "/api/conversations/$conversation"
run "usage summary" get.lua /api/usage/summary
run "agent create" post.lua /api/agents/
run "health (again)" get.lua /healthz
echo
for i in "${!binaries[@]}"; do
  echo "${binaries[$i]}: server threads $(awk '/Threads/ {print $2}' "/proc/${pids[$i]}/status"), peak RSS $(awk '/VmHWM/ {print $2, $3}' "/proc/${pids[$i]}/status")"
done
