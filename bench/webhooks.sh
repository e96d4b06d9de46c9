#!/usr/bin/env bash
# Webhook delivery benchmark: the sustained rate at which `cxco serve` (Release, SQLite or PostgreSQL)
# delivers signed events to a local receiver, and the API's latency while every delivery
# hangs until its timeout.
#   bench/webhooks.sh              # 5,000 events
#   EVENTS=20000 bench/webhooks.sh
#   bench/webhooks.sh --database-url 'postgresql://cxco@/postgres?host=/tmp/pgdev'
# On PostgreSQL the URL names a server (any database on it): each run gets a fresh database of
# its own there, created with the URL's user and dropped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
database_url=
if [[ ${1:-} == --database-url ]]; then database_url=$2; fi
scripts/install-deps.sh --with-bench-tools
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCXCO_WERROR=OFF >/dev/null
ninja -C build-release -j2 cxco >/dev/null

events=${EVENTS:-5000}
port=${PORT:-18766}
receiver_port=$((port + 1))
work=$(mktemp -d /tmp/cxco-webhook-bench.XXXXXX)
api="http://127.0.0.1:$port"
pids=()
database=
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  [[ -n $database ]] && psql -q "$database_url" -c "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# The receiver: counts deliveries; in "hang" mode it holds each request for 30 s.
cat >"$work/receiver.py" <<'PY'
import http.server, sys, threading, time
count, lock = 0, threading.Lock()
mode = sys.argv[2]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        global count
        self.rfile.read(int(self.headers["Content-Length"]))
        if mode == "hang":
            time.sleep(30)
        with lock:
            count += 1
            open(sys.argv[3], "w").write(str(count))
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY

# A fresh database for each server: a SQLite file, or a database on the PostgreSQL server.
url=
fresh_database() {
  if [[ -z $database_url ]]; then
    rm -f "$work"/cxco.db*
    url="sqlite://$work/cxco.db"
    return
  fi
  [[ -n $database ]] && psql -q "$database_url" -c "DROP DATABASE $database" >/dev/null
  database="cxco_webhook_bench_$$"
  psql -q "$database_url" -c "CREATE DATABASE $database" >/dev/null
  url=$(sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$database#" <<<"$database_url")
}

start_server() {  # timeout seconds
  fresh_database
  CXCO_LISTEN="127.0.0.1:$port" CXCO_DATABASE_URL="$url" CXCO_RATE_LIMIT_PER_SECOND=0 \
    CXCO_WEBHOOK_ALLOW_PRIVATE=1 CXCO_WEBHOOK_TIMEOUT="$1" CXCO_ADMIN_KEY=bench-admin-key-0123456789 \
    CXCO_ENCRYPTION_KEYS=cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4= \
    build-release/cxco serve --demo >"$work/out.txt" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "$api/healthz" >/dev/null && break; sleep 0.1; done
}

insert_events() {  # count
  local at
  at=$(date -u -d '+5 seconds' +%Y-%m-%dT%H:%M:%SZ)
  if [[ -n $database_url ]]; then
    psql -q "$url" -c "INSERT INTO events (event_id, company_id, type, data, created_at)
      SELECT 'evt_bench_' || g, 1, 'agent.status_changed',
             '{\"agent_id\":1,\"previous_status\":\"draft\",\"status\":\"active\"}', '$at'
      FROM generate_series(0, $1 - 1) AS g" >/dev/null
    return
  fi
  python3 - "$work/cxco.db" "$1" "$at" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executemany("INSERT INTO events (event_id, company_id, type, data, created_at) VALUES (?, 1, 'agent.status_changed', ?, ?)",
               [(f"evt_bench_{i}", '{"agent_id":1,"previous_status":"draft","status":"active"}', sys.argv[3]) for i in range(int(sys.argv[2]))])
db.commit()
PY
}

echo "== sustained delivery rate to a local receiver ($events events)"
python3 "$work/receiver.py" "$receiver_port" ok "$work/count" & pids+=($!)
start_server 10
ckey=$(awk '/company key:/ {print $3}' "$work/out.txt")
curl -sf -H "X-API-Key: $ckey" -X POST "$api/api/webhooks/" \
  -d "{\"url\":\"http://127.0.0.1:$receiver_port/hook\",\"events\":[\"agent.status_changed\"]}" >/dev/null
echo 0 >"$work/count"
started=$(date +%s.%N)
insert_events "$events"
while [[ $(cat "$work/count") -lt $events ]]; do sleep 0.2; done
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
echo "delivered $events events in ${elapsed}s: $(echo "$events / $elapsed" | bc) events/s"

echo "== API latency while the receiver hangs every delivery"
kill "${pids[@]}"; wait 2>/dev/null || true; pids=()
python3 "$work/receiver.py" "$receiver_port" hang "$work/count" & pids+=($!)
start_server 10
ckey=$(awk '/company key:/ {print $3}' "$work/out.txt")
ukey=$(awk '/user key:/ {print $3}' "$work/out.txt")
curl -sf -H "X-API-Key: $ckey" -X POST "$api/api/webhooks/" \
  -d "{\"url\":\"http://127.0.0.1:$receiver_port/hook\",\"events\":[\"agent.status_changed\"]}" >/dev/null
curl -sf -H "X-API-Key: $ukey" -X POST "$api/api/agents/" \
  -d '{"name":"A","personality":"P","opening_line":"O","voice_id":1}' >/dev/null
insert_events 200
sleep 1
echo "wrk.headers['X-API-Key'] = '$ukey'" >"$work/get.lua"
for path in /healthz /api/agents/1; do
  out=$(wrk -t2 -c32 -d10s --latency -s "$work/get.lua" "$api$path")
  echo "GET $path: $(awk '/Requests\/sec/ {print $2}' <<<"$out") requests/s, p50 $(awk '$1 == "50%" {print $2}' <<<"$out"), p99 $(awk '$1 == "99%" {print $2}' <<<"$out")"
done
echo "deliveries in flight during the run: $(curl -s "$api/metrics" | awk '/^cxco_webhook_deliveries_pending/ {print $2}') pending"
