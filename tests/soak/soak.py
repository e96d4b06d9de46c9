#!/usr/bin/env python3
"""Soak test: mixed traffic against the real `cxco serve` binary for a while, with a kill -9
and a restart in the middle. Afterwards every write the server acknowledged (2xx) must still
be there: agents, users, ingested conversations, and webhook events for acknowledged changes.

  tests/soak/soak.py --binary build/cxco --seconds 60 [--database-url postgresql://...]
"""
import argparse, hashlib, hmac, json, os, random, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request

SECRET = "wsec_soak"
FERNET_KEY = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4="


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, key=None, body=None, headers=None, admin=False):
        data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if key:
            req.add_header("X-API-Key", key)
        if admin:
            req.add_header("X-Admin-Key", "soak-admin-key-0123456789")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                raw = r.read()
                return r.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as e:
            return e.code, None
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            return 0, None  # server down (killed): not acknowledged


class Server:
    def __init__(self, binary, env):
        self.binary, self.env, self.proc = binary, env, None

    def start(self, api):
        self.proc = subprocess.Popen([self.binary, "serve"], env=self.env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while time.time() < deadline:
            if api.call("GET", "/readyz")[0] == 200:
                return
            time.sleep(0.05)
        raise SystemExit("server did not become ready")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def post_call(agent_external_id, conversation_id):
    now = int(time.time())
    body = json.dumps({"type": "post_call_transcription", "event_timestamp": now, "data": {
        "agent_id": agent_external_id, "conversation_id": conversation_id, "status": "done",
        "transcript": [{"role": "agent", "message": "Hello!", "time_in_call_secs": 0},
                       {"role": "user", "message": "Hi", "time_in_call_secs": 2}],
        "metadata": {"start_time_unix_secs": now - 60, "call_duration_secs": 60,
                     "phone_call": {"type": "sip_trunking", "direction": "inbound", "external_number": "+27821234567"}},
        "analysis": {"call_successful": "success", "transcript_summary": "Soak call."}}}).encode()
    mac = hmac.new(SECRET.encode(), f"{now}.".encode() + body, hashlib.sha256).hexdigest()
    return body, {"ElevenLabs-Signature": f"t={now},v0={mac}"}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--binary", default="build/cxco")
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--database-url")
    p.add_argument("--workers", type=int, default=6)
    a = p.parse_args()

    work = tempfile.mkdtemp(prefix="cxco-soak-")
    port = free_port()
    env = dict(os.environ, CXCO_LISTEN=f"127.0.0.1:{port}",
               CXCO_DATABASE_URL=a.database_url or f"sqlite://{work}/cxco.db", CXCO_ADMIN_KEY="soak-admin-key-0123456789",
               CXCO_ENCRYPTION_KEYS=FERNET_KEY, CXCO_ELEVENLABS_WEBHOOK_SECRET=SECRET,
               CXCO_RATE_LIMIT_PER_SECOND="0", CXCO_LOG_FORMAT="json")
    api = Api(f"http://127.0.0.1:{port}")
    server = Server(a.binary, env)
    server.start(api)

    status, company = api.call("POST", "/api/admin/companies", body={"name": "Soak Co"}, admin=True)
    assert status == 201, status
    ckey = company["api_key"]
    status, user = api.call("POST", "/api/users/", ckey, {"email": "soak@example.com", "name": "Soak"})
    assert status == 201, status
    ukey = user["api_key"]
    numbers = [{"number": f"+2721{n:07d}", "country_code": "ZA"} for n in range(1000)]
    assert api.call("POST", "/api/admin/phone-numbers", body={"numbers": numbers}, admin=True)[0] == 201
    status, agent = api.call("POST", "/api/agents/", ukey, {"name": "Soak agent", "personality": "P",
                                                              "opening_line": "O", "voice_id": 1})
    status, live = api.call("POST", f"/api/agents/{agent['id']}/publish", ukey, {})
    assert status == 200, status
    external = live["external_agent_id"]

    acked = {"agents": set(), "published": set(), "users": set(), "conversations": set()}
    lock = threading.Lock()
    stop = threading.Event()
    counter = [0]

    def worker(n):
        rnd = random.Random(n)
        while not stop.is_set():
            with lock:
                counter[0] += 1
                i = counter[0]
            kind = rnd.random()
            if kind < 0.35:
                s, body = api.call("POST", "/api/agents/", ukey, {"name": f"A{i}", "personality": "P",
                                                                   "opening_line": "O", "voice_id": 1})
                if s == 201:
                    with lock:
                        acked["agents"].add(body["id"])
                    if rnd.random() < 0.3:
                        s2, _ = api.call("POST", f"/api/agents/{body['id']}/publish", ukey, {})
                        if s2 == 200:
                            with lock:
                                acked["published"].add(body["id"])
            elif kind < 0.7:
                conv = f"soak_conv_{i}"
                body, headers = post_call(external, conv)
                s, _ = api.call("POST", "/api/integrations/elevenlabs/post-call", body=body, headers=headers)
                if s == 200:
                    with lock:
                        acked["conversations"].add(conv)
            elif kind < 0.8:
                s, body = api.call("POST", "/api/users/", ckey, {"email": f"u{i}@soak.example", "name": "U"})
                if s == 201:
                    with lock:
                        acked["users"].add(body["id"])
            else:
                api.call("GET", "/api/agents/?limit=30", ukey)
                api.call("GET", "/api/usage/summary", ckey)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(a.workers)]
    for t in threads:
        t.start()
    time.sleep(a.seconds / 2)
    server.kill9()
    print(f"killed -9 after {a.seconds / 2:.0f}s; restarting", flush=True)
    server.start(api)
    time.sleep(a.seconds / 2)
    stop.set()
    for t in threads:
        t.join()

    lost = []
    for agent_id in acked["agents"]:
        s, body = api.call("GET", f"/api/agents/{agent_id}", ukey)
        if s != 200:
            lost.append(f"agent {agent_id}")
        elif agent_id in acked["published"] and body["status"] != "active":
            lost.append(f"publish of agent {agent_id}")
    for user_id in acked["users"]:
        if api.call("GET", f"/api/users/{user_id}", ckey)[0] != 200:
            lost.append(f"user {user_id}")
    seen, cursor = set(), None
    while True:
        s, page = api.call("GET", "/api/conversations/?limit=100" + (f"&cursor={cursor}" if cursor else ""), ukey)
        assert s == 200, s
        seen.update(c["external_conversation_id"] for c in page["items"])
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    lost += [f"conversation {c}" for c in acked["conversations"] - seen]
    s, usage = api.call("GET", "/api/usage/summary", ckey)
    counted = usage["voice"]["total_conversations"] if s == 200 else -1
    if counted != len(seen):
        lost.append(f"usage counts {counted} conversations, {len(seen)} stored")
    exit_code = server.stop()

    total = sum(len(v) for v in acked.values())
    print(f"acknowledged writes: {total} ({', '.join(f'{k}={len(v)}' for k, v in acked.items())}); "
          f"lost: {len(lost)}; graceful stop exit code {exit_code}")
    for item in lost[:20]:
        print("LOST", item)
    sys.exit(1 if lost or exit_code != 0 or total == 0 else 0)


if __name__ == "__main__":
    main()
