#!/usr/bin/env bash
# What a post-call webhook carrying 50 MiB of audio costs `cxco serve` in memory: a signed
# post_call_audio of 50 MiB is POSTed to a fresh server, and the server's peak resident memory
# over the request (VmHWM, reset just before it through /proc/PID/clear_refs) is printed with
# the answer. Run it against an older binary to compare (before per-route limits: 413).
#   bench/post_call_memory.sh                      # build/cxco
#   BINARY=/path/to/other/cxco bench/post_call_memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${BINARY:-build/cxco}
[ -x "$binary" ] || { echo "no $binary: build it first (or set BINARY)" >&2; exit 2; }
port=${PORT:-18790}
work=$(mktemp -d /tmp/cxco-post-call-memory.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT

CXCO_LISTEN="127.0.0.1:$port" CXCO_DATABASE_URL="sqlite://$work/cxco.db" CXCO_ELEVENLABS_WEBHOOK_SECRET=wsec_bench \
  "$binary" serve >"$work/out.txt" 2>&1 &
pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

# The body and its signature, written to files: the client's memory is not the server's.
python3 - "$work" <<'PY'
import hashlib, hmac, sys, time
work, t = sys.argv[1], str(int(time.time()))
head = ('{"type":"post_call_audio","event_timestamp":%s,"data":{"agent_id":"agent_bench",'
        '"conversation_id":"conv_bench","full_audio":"' % t).encode()
tail = b'"}}'
size = 50 * 1024 * 1024
mac = hmac.new(b"wsec_bench", (t + ".").encode(), hashlib.sha256)
with open(work + "/body.json", "wb") as f:
    for part in (head, b"A" * (size - len(head) - len(tail)), tail):
        mac.update(part)
        f.write(part)
open(work + "/signature", "w").write("t=%s,v0=%s" % (t, mac.hexdigest()))
PY

kib() { awk -v f="$1:" '$1 == f {print $2}' "/proc/$pid/status"; }
echo 5 >"/proc/$pid/clear_refs"
before=$(kib VmRSS)
answer=$(curl -s -w ' HTTP %{http_code}' -X POST "http://127.0.0.1:$port/api/integrations/elevenlabs/post-call" \
  -H "Content-Type: application/json" -H "ElevenLabs-Signature: $(cat "$work/signature")" \
  --data-binary @"$work/body.json")
peak=$(kib VmHWM)
echo "body:     $(stat -c %s "$work/body.json") bytes of post_call_audio"
echo "answer:   $answer"
echo "resident: $((before / 1024)) MiB before, peak $((peak / 1024)) MiB during: +$(((peak - before) / 1024)) MiB"
