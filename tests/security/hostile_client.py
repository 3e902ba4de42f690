#!/usr/bin/env python3
"""Hostile-client tests: attacks a live `wissen serve` the way the security review did.

Starts its own server over samples/ (embedded PostgreSQL, temp dir), optionally behind nginx
with deploy/nginx/wissen.conf (--front nginx), and after every case checks that the server
still answers GET /healthz and that its resident memory stays under RSS_LIMIT_MB.

    hostile_client.py --wissen build/cli/wissen [--front nginx] [--only NAME,...]

Python 3 standard library only; talks to 127.0.0.1 only; every loop is bounded in count and
time. Prints "PASS name" or "FAIL name: reason" per case, measurements as "  info: ...",
and ends with "N passed, N failed". Exits non-zero on any failure.
"""

import argparse
import http.client
import json
import os
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples"
NGINX_SITE = REPO / "deploy" / "nginx" / "wissen.conf"

RSS_LIMIT_MB = 600          # resident memory of wissen after any case
NGINX_RSS_GROWTH_MB = 50    # growth allowed while nginx absorbs a 100 MB body
HEALTH_TIMEOUT = 10.0       # seconds a /healthz may take after an attack
START_TIMEOUT = 60.0        # seconds for crawl, serve and nginx to come up
SLOW_CLIENTS = 200
USERS = {  # name: (roles, password)
    "ben": ("", "demo-ben"),
    "anna": ("hr", "demo-anna"),
    "admin": ("admin", "demo-admin"),
}
HR_CANARY = "CANARY-SAMPLE-HR-7Q2M"
RND_CANARY = "CANARY-SAMPLE-RND-4K9P"


class HarnessError(Exception):
    """The test setup itself failed (not a finding about Wissen)."""


class CaseFailed(Exception):
    pass


def samples_sources():
    """The [[sources]] part of samples/wissen.toml with an absolute root."""
    return subprocess.run([str(REPO / "scripts" / "samples-sources"), str(SAMPLES)],
                          capture_output=True, text=True, check=True).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def info(text):
    print(f"  info: {text}", flush=True)


def wait_until(predicate, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def stop_process(proc, sig=signal.SIGTERM, grace=10.0):
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------------------------------
# HTTP helpers


class Reply:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage (case-insensitive get)
        self.body = body
        self.elapsed = elapsed

    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name, "") if self.headers is not None else ""


def request(port, method, path, body=None, headers=None, timeout=30.0, max_body=8 << 20,
            source=None):
    """One request on a fresh connection; the body is read up to max_body bytes. `source`:
    the local address to connect from (another 127.x address plays another client)."""
    headers = dict(headers or {})
    if isinstance(body, str):
        body = body.encode()
    if body is not None and not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = "application/json"
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read(max_body)
        return Reply(resp.status, resp.msg, data, time.monotonic() - started)
    finally:
        conn.close()


def parse_status(head):
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return int(match.group(1)) if match else None


def raw_exchange(port, head, pieces=(), max_seconds=20.0):
    """Sends `head`, then `pieces` one by one, and stops sending as soon as the server
    answers or closes. Returns (status or None, bytes of pieces sent, seconds, response head,
    note). The connection is closed afterwards."""
    started = time.monotonic()
    deadline = started + max_seconds
    sent = 0
    note = ""
    received = b""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        sock.settimeout(max(0.1, min(5.0, max_seconds)))

        def answered():
            readable, _, _ = select.select([sock], [], [], 0)
            return bool(readable)

        try:
            for offset in range(0, len(head), 16384):
                if answered():
                    note = "answered during the head"
                    break
                sock.sendall(head[offset:offset + 16384])
            else:
                for piece in pieces:
                    if time.monotonic() > deadline:
                        note = "time limit while sending"
                        break
                    if answered():
                        note = "answered during the body"
                        break
                    sock.sendall(piece)
                    sent += len(piece)
        except socket.timeout:
            note = "server stopped reading"
        except (BrokenPipeError, ConnectionResetError) as error:
            note = f"closed while sending ({error.__class__.__name__})"
        # Read the response head (bounded).
        while b"\r\n\r\n" not in received and time.monotonic() < deadline and len(received) < 65536:
            try:
                sock.settimeout(max(0.05, deadline - time.monotonic()))
                chunk = sock.recv(65536)
            except socket.timeout:
                note += "; no response in time"
                break
            except ConnectionResetError:
                note += "; reset"
                break
            if not chunk:
                break
            received += chunk
    finally:
        sock.close()
    return parse_status(received), sent, time.monotonic() - started, received, note


def chunked_pieces(total, chunk=65536):
    """A chunked body of `total` bytes of JSON-ish filler in `chunk`-sized chunks."""
    data = b"a" * chunk
    piece = b"%x\r\n" % chunk + data + b"\r\n"
    for _ in range(total // chunk):
        yield piece
    yield b"0\r\n\r\n"


# ---------------------------------------------------------------------------------------
# The server under test


class Wissen:
    """A `wissen serve` over samples/ in a temp dir, with users ben, anna and admin."""

    def __init__(self, binary, work, behind_proxy=False):
        self.binary = binary
        # Behind nginx on this machine: trust its X-Forwarded-For (as deploy/nginx/README.md
        # tells operators to).
        self.behind_proxy = behind_proxy
        self.work = work
        self.data = work / "data"
        self.config = work / "wissen.toml"
        self.port = free_port()
        self.proc = None
        self.log_path = work / "serve.log"
        self.keys = {}        # name -> API key
        self.key_ids = {}     # name -> key id

    def cli(self, *args, stdin=None, timeout=120):
        result = subprocess.run(
            [self.binary, "--config", str(self.config), "--log-level", "warn", *args],
            input=stdin, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise HarnessError(f"wissen {' '.join(args)} failed ({result.returncode}): "
                               f"{result.stderr.strip()[-800:]}")
        return result

    def setup(self):
        self.config.write_text(f"""[data]
dir = "{self.data}"

[database]
url = ""

[server]
listen = "127.0.0.1:{self.port}"
web_dir = "{REPO / 'server' / 'web'}"
{'trusted_proxies = ["127.0.0.1/32"]' if self.behind_proxy else ''}

""" + samples_sources())
        self.cli("crawl")
        for name, (roles, password) in USERS.items():
            self.cli("user", "add", name, "--roles", roles, "--password-stdin",
                     stdin=password + "\n")
        for key_name, user in (("ben", "ben"), ("anna", "anna"), ("revoke-me", "ben")):
            out = self.cli("key", "create", user, "--name", f"sec-{key_name}")
            # The key is printed once, as the last line of stdout; stderr says its id.
            lines = [line.strip() for line in out.stdout.splitlines() if line.strip()]
            if not lines or not lines[-1].startswith("wsk_"):
                raise HarnessError(f"no API key in the output of key create: {out.stdout!r}")
            self.keys[key_name] = lines[-1]
            match = re.search(r"API key (\d+)", out.stderr + out.stdout)
            if not match:
                raise HarnessError(f"no key id in the output of key create: {out.stderr!r}")
            self.key_ids[key_name] = int(match.group(1))

    def start(self):
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [self.binary, "--config", str(self.config), "--log-level", "warn", "serve"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        finally:
            log.close()

        def healthy():
            if self.proc.poll() is not None:
                raise HarnessError(f"wissen serve exited ({self.proc.returncode}):\n"
                                   + self.log_tail())
            try:
                return request(self.port, "GET", "/healthz", timeout=2).status == 200
            except OSError:
                return False

        if not wait_until(healthy, START_TIMEOUT, 0.2):
            raise HarnessError("wissen serve did not answer /healthz:\n" + self.log_tail())

    def stop(self):
        stop_process(self.proc)
        self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def rss_mb(self):
        try:
            with open(f"/proc/{self.proc.pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (OSError, AttributeError):
            pass
        return None

    def stop_postgres(self):
        # pg_ctl refuses to run as root: signal the postmaster by its pid file (fast shutdown).
        try:
            pid = int((self.data / "pg" / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            os.kill(pid, signal.SIGINT)
        except ProcessLookupError:
            return

        def gone():
            try:
                os.kill(pid, 0)
                return False
            except ProcessLookupError:
                return True

        wait_until(gone, 15)

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Nginx:
    """Debian's nginx with deploy/nginx/wissen.conf, plain HTTP on a free loopback port."""

    def __init__(self, work, upstream_port, binary="/usr/sbin/nginx"):
        self.binary = binary
        self.work = work / "nginx"
        self.port = free_port()
        self.upstream_port = upstream_port
        self.proc = None

    def site_config(self):
        """The shipped server block with its documented test substitutions: one plain
        listen on 127.0.0.1, no ssl_* lines, the upstream on Wissen's test port."""
        out = []
        listens = 0
        for line in NGINX_SITE.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith("listen "):
                if listens == 0:
                    out.append(f"    listen 127.0.0.1:{self.port} default_server;")
                listens += 1
                continue
            if stripped.startswith("ssl_"):
                continue
            out.append(line)
        text, upstreams = re.subn(r"server 127\.0\.0\.1:8080;",
                                  f"server 127.0.0.1:{self.upstream_port};", "\n".join(out))
        if listens == 0 or upstreams != 1:
            raise HarnessError(f"{NGINX_SITE}: expected listen lines and exactly one "
                               "'server 127.0.0.1:8080;' upstream")
        return text + "\n"

    def start(self):
        self.work.mkdir()
        (self.work / "wissen-site.conf").write_text(self.site_config())
        # A root master starts its workers as this user; Debian's nginx runs as www-data.
        user = ""
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("www-data")
                user = "user www-data;\n"
            except KeyError:
                user = "user nobody nogroup;\n"
        w = self.work
        (w / "nginx.conf").write_text(f"""{user}worker_processes 1;
pid {w}/nginx.pid;
error_log {w}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log {w}/access.log;
    client_body_temp_path {w}/body;
    proxy_temp_path {w}/proxy;
    fastcgi_temp_path {w}/fastcgi;
    uwsgi_temp_path {w}/uwsgi;
    scgi_temp_path {w}/scgi;
    include {w}/wissen-site.conf;
}}
""")
        test = subprocess.run([self.binary, "-p", str(w), "-e", str(w / "error.log"),
                               "-c", str(w / "nginx.conf"), "-t"],
                              capture_output=True, text=True, timeout=30)
        if test.returncode != 0:
            raise HarnessError("nginx -t failed:\n" + test.stderr)
        with open(w / "stderr.log", "wb") as stderr:
            self.proc = subprocess.Popen(
                [self.binary, "-p", str(w), "-e", str(w / "error.log"), "-c",
                 str(w / "nginx.conf"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=stderr, stdin=subprocess.DEVNULL)

        def up():
            if self.proc.poll() is not None:
                raise HarnessError("nginx exited:\n" + (w / "stderr.log").read_text())
            try:
                return request(self.port, "GET", "/healthz", timeout=2).status == 200
            except OSError:
                return False

        if not wait_until(up, START_TIMEOUT, 0.2):
            raise HarnessError("nginx did not pass /healthz through")

    def stop(self):
        # SIGTERM is nginx's fast shutdown: open attack connections must not delay it.
        stop_process(self.proc, signal.SIGTERM)
        self.proc = None


# ---------------------------------------------------------------------------------------
# Cases


class Context:
    def __init__(self, mode, wissen, nginx):
        self.mode = mode
        self.wissen = wissen
        self.nginx = nginx
        self.port = nginx.port if nginx else wissen.port  # where attacks go
        self.failures = []

    @property
    def direct(self):
        return self.mode == "direct"

    def check(self, ok, what):
        if not ok:
            self.failures.append(what)
        return ok

    def status(self, reply_status, expected, what):
        expected = (expected,) if isinstance(expected, int) else tuple(expected)
        return self.check(reply_status in expected,
                          f"{what}: got {reply_status}, expected {'/'.join(map(str, expected))}")

    def call(self, method, path, body=None, headers=None, key="ben", timeout=30.0, source=None):
        headers = dict(headers or {})
        if key:
            headers["Authorization"] = "Bearer " + self.wissen.keys[key]
        return request(self.port, method, path, body=body, headers=headers, timeout=timeout,
                       source=source)


def rejected_by_wissen(ctx):
    """How many requests Wissen itself refused before routing (from /metrics, read directly
    from 127.0.0.1). Behind nginx this must not move: nginx refuses them first."""
    reply = request(ctx.wissen.port, "GET", "/metrics")
    total = 0
    for line in reply.text().splitlines():
        if line.startswith('wissen_http_requests_total{route="(rejected)"'):
            total += int(float(line.rsplit(" ", 1)[1]))
    return total


def check_front_refused(ctx, before, what):
    if not ctx.direct:
        reached = rejected_by_wissen(ctx) - before
        ctx.check(reached == 0, f"{what}: {reached} request(s) got past nginx and were "
                                "refused by Wissen itself")


def nested_json(levels):
    return "[" * levels + "]" * levels


def case_deep_json(ctx):
    deep = nested_json(60000)
    attacks = [
        ("/v1/chat/completions", '{"messages":[{"role":"user","content":' + deep + "}]}", "ben"),
        ("/api/v1/search", '{"query":' + deep + "}", "ben"),
        ("/api/v1/ask", '{"question":' + deep + "}", "ben"),
        ("/api/v1/login", '{"username":' + deep + ',"password":"x"}', None),
    ]
    for path, body, key in attacks:
        reply = ctx.call("POST", path, body=body, key=key)
        ctx.status(reply.status, 400, f"POST {path} with 60000 nested arrays")


def case_body_limit(ctx):
    w = ctx.wissen
    search_head = (b"POST /api/v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   b"Content-Type: application/json\r\n")
    both = search_head + b"Content-Length: 15\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunked_only = search_head + b"Transfer-Encoding: chunked\r\n\r\n"

    too_long = search_head + b"Content-Length: 2000000\r\n\r\n"
    if ctx.direct:
        # Wissen refuses the head at once, but cpprestsdk sends the 413 only after it has
        # read (and buffered) the whole declared body: information, like the chunked body.
        status, _, seconds, _, note = raw_exchange(ctx.port, too_long, max_seconds=3)
        info(f"direct Content-Length 2000000 without a body: {status} in {seconds:.1f} s "
             f"({note.strip('; ') or 'answered'})")
        growth = measure_rss_during(w, lambda: raw_exchange(
            ctx.port, search_head + b"Content-Length: %d\r\n\r\n" % (20 << 20),
            [b"a" * 65536] * 320, max_seconds=60))
        (status, sent, seconds, _, note), before, peak, after = growth
        info(f"direct 20 MB body with Content-Length: status {status} after {sent >> 20} MB "
             f"in {seconds:.2f} s; wissen RSS {before:.0f} -> peak {peak:.0f} MB "
             f"(+{peak - before:.0f} MB)")
        ctx.status(status, 413, f"20 MB body with Content-Length ({note or 'all sent'})")
        status, _, _, _, note = raw_exchange(ctx.port, both, chunked_pieces(256 * 1024),
                                             max_seconds=20)
        ctx.status(status, 400, f"Content-Length + chunked, 256 KB body ({note})")
        status, _, _, _, note = raw_exchange(ctx.port, chunked_only, chunked_pieces(64 * 1024),
                                             max_seconds=20)
        ctx.status(status, 411, f"chunked without Content-Length ({note})")
        # Information: cpprestsdk reads a chunked body whole before Wissen may refuse it.
        growth = measure_rss_during(w, lambda: raw_exchange(
            ctx.port, both, chunked_pieces(20 << 20), max_seconds=60))
        (status, sent, seconds, _, note), before, peak, after = growth
        info(f"direct 20 MB chunked body (Content-Length + chunked): status {status}, "
             f"{sent >> 20} MB sent before the answer in {seconds:.2f} s ({note or 'all sent'}); "
             f"wissen RSS {before:.0f} -> peak {peak:.0f} -> {after:.0f} MB "
             f"(+{peak - before:.0f} MB)")
        return

    # Through nginx: a declared length over the limit is refused from the head alone ...
    rejected_before = rejected_by_wissen(ctx)
    status, _, seconds, _, note = raw_exchange(ctx.port, too_long, max_seconds=10)
    ctx.status(status, 413, f"Content-Length 2000000 without a body ({note or 'answered'})")
    # ... and a chunked body is counted as it arrives and cut off at client_max_body_size.
    # (Not logged in, the chunked body gets 401 before nginx reads it: auth_before_body.)
    for label, head, expected in (("Content-Length + chunked", both, (400, 413)),
                                  ("chunked", chunked_only, (401, 413))):
        growth = measure_rss_during(w, lambda head=head: raw_exchange(
            ctx.port, head, chunked_pieces(100 << 20), max_seconds=30))
        (status, sent, seconds, _, note), before, peak, after = growth
        info(f"nginx 100 MB {label}: status {status} after {sent >> 10} KB in {seconds:.2f} s "
             f"({note}); wissen RSS {before:.0f} -> peak {peak:.0f} MB")
        ctx.status(status, expected, f"100 MB {label} body through nginx")
        ctx.check(seconds < 10, f"100 MB {label} body: answer took {seconds:.1f} s")
        ctx.check(peak - before <= NGINX_RSS_GROWTH_MB,
                  f"100 MB {label} body: wissen RSS grew {peak - before:.0f} MB")
    check_front_refused(ctx, rejected_before, "oversized bodies")
    # A small chunked body is de-chunked by nginx and reaches Wissen with a Content-Length.
    key = w.keys["ben"].encode()
    body = b'{"query":"Urlaubsantrag"}'
    head = (b"POST /api/v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nAuthorization: Bearer " + key +
            b"\r\nTransfer-Encoding: chunked\r\n\r\n")
    status, _, _, _, note = raw_exchange(
        ctx.port, head, [b"%x\r\n" % len(body) + body + b"\r\n", b"0\r\n\r\n"], max_seconds=20)
    ctx.status(status, 200, f"small chunked search through nginx ({note})")


def case_auth_before_body(ctx):
    """Issue 24, point 2: a client that is not logged in gets 401 before its body is read.
    Through nginx, auth_request asks Wissen's /api/v1/auth/check without the body first."""
    head = (b"POST /api/v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: 900000\r\n\r\n")
    status, _, seconds, response, note = raw_exchange(ctx.port, head, max_seconds=3)
    if ctx.direct:
        # Information: cpprestsdk waits for the whole declared body before any handler runs.
        info(f"direct: unauthenticated 900 KB POST, head only: {status} in {seconds:.1f} s "
             f"({note.strip('; ') or 'answered'})")
        return
    ctx.status(status, 401, f"unauthenticated POST, head only, no body sent ({note or 'answered'})")
    ctx.check(seconds < 2, f"the 401 took {seconds:.1f} s: the body was waited for")
    ctx.check(b'"unauthenticated"' in response or b"application/json" in response,
              "the 401 is not Wissen's JSON error")
    for path in ("/v1/chat/completions", "/api/v1/ask"):
        status, _, seconds, _, note = raw_exchange(
            ctx.port, head.replace(b"/api/v1/search", path.encode()), max_seconds=3)
        ctx.status(status, 401, f"unauthenticated POST {path}, head only ({note or 'answered'})")
    # Valid credentials still pass, with the body, and the check is not a request of its own
    # against the user's rate: many searches in a row all succeed.
    for _ in range(5):
        reply = ctx.call("POST", "/api/v1/search", body=json.dumps({"query": "Urlaubsantrag"}))
        ctx.status(reply.status, 200, "search with an API key through nginx")
    reply = ctx.call("POST", "/v1/chat/completions", body=json.dumps(
        {"model": "wissen", "messages": [{"role": "user", "content": "Urlaub"}]}))
    ctx.status(reply.status, 200, "chat completion with an API key through nginx")
    reply = ctx.call("POST", "/api/v1/search", body=json.dumps({"query": "Urlaub"}), key=None,
                     headers={"Authorization": "Bearer wsk_not_a_key"})
    ctx.status(reply.status, 401, "search with a wrong key through nginx")
    # The login route itself needs no credentials and still reads its (small) body.
    reply = request(ctx.port, "POST", "/api/v1/login",
                    body=json.dumps({"username": "nobody", "password": "x"}))
    ctx.status(reply.status, (401, 429), "login through nginx")


def measure_rss_during(wissen, action):
    """Runs action() while sampling wissen's RSS; returns (result, before, peak, after)."""
    before = wissen.rss_mb() or 0.0
    peak = [before]
    done = threading.Event()

    def sample():
        for _ in range(20000):  # bounded: 20000 × 5 ms = 100 s at most
            if done.wait(0.005):
                break
            rss = wissen.rss_mb()
            if rss:
                peak[0] = max(peak[0], rss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = action()
    finally:
        done.set()
        sampler.join(timeout=5)
    time.sleep(0.2)  # let the server finish with the connection before the last sample
    after = wissen.rss_mb() or 0.0
    return result, before, max(peak[0], after), after


def get_head(path, extra=b""):
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n"


def case_long_paths(ctx):
    rejected_before = rejected_by_wissen(ctx)
    status, _, seconds, _, note = raw_exchange(ctx.port, get_head(b"/" + b"a/" * 5000),
                                               max_seconds=60)
    info(f"GET / + 'a/' x 5000 ({ctx.mode}): {status} in {seconds:.2f} s")
    ctx.status(status, 414, f"'a/' x 5000 ({note})")
    status, _, _, _, note = raw_exchange(ctx.port, get_head(b"/" + b"a/" * 100), max_seconds=20)
    ctx.status(status, 414, f"101 path segments ({note})")
    status, _, _, _, note = raw_exchange(ctx.port, get_head(b"/" + b"a%2F" * 100), max_seconds=20)
    ctx.status(status, 414, f"101 path segments as %2F ({note})")
    status, _, seconds, _, note = raw_exchange(ctx.port, get_head(b"/" + b"/" * 3000 + b"healthz"),
                                               max_seconds=60)
    info(f"GET '/' x 3001 + healthz ({ctx.mode}): {status} in {seconds:.2f} s")
    ctx.status(status, 414, f"3001 slashes ({note})")
    status, _, _, _, note = raw_exchange(ctx.port, get_head(b"/" + b"a" * 9000), max_seconds=20)
    ctx.status(status, 414, f"9000-byte path ({note})")
    status, _, _, _, note = raw_exchange(ctx.port, get_head(b"/healthz?q=" + b"a" * 20000),
                                         max_seconds=20)
    ctx.status(status, 414, f"20 KB query string ({note})")
    big_header = b"X-Filler: " + b"a" * 65536 + b"\r\n"
    status, _, _, _, note = raw_exchange(ctx.port, get_head(b"/healthz", big_header),
                                         max_seconds=20)
    ctx.status(status, 431 if ctx.direct else (400, 431, 494), f"64 KB header ({note})")
    if not ctx.direct:
        # Sent in 16 KB pieces; sending stops as soon as nginx answers.
        status, _, seconds, _, note = raw_exchange(ctx.port, get_head(b"/" + b"a/" * 500000),
                                                   max_seconds=20)
        info(f"GET / + 'a/' x 500000 (1 MB) through nginx: {status} in {seconds:.2f} s ({note})")
        ctx.status(status, (414, 400), f"1 MB path ({note})")
        ctx.check(seconds < 5, f"1 MB path: answer took {seconds:.1f} s")
        huge = b"X-Filler: " + b"a" * (8 << 20) + b"\r\n"
        status, _, seconds, _, note = raw_exchange(ctx.port, get_head(b"/healthz", huge),
                                                   max_seconds=20)
        info(f"8 MB header through nginx: {status} in {seconds:.2f} s ({note})")
        ctx.status(status, (400, 431, 494), f"8 MB header ({note})")
    check_front_refused(ctx, rejected_before, "long paths and headers")
    reply = ctx.call("POST", "/api/v1/search", body='{"query":"Urlaubsantrag"}')
    ctx.status(reply.status, 200, "a normal search afterwards")


def login_attempt(ctx, username, password, source=None):
    return ctx.call("POST", "/api/v1/login",
                    body=json.dumps({"username": username, "password": password}), key=None,
                    source=source)


def case_lockout(ctx):
    """Failed logins (server/src/auth/login_policy.h): an attacker at 127.0.0.1 guessing
    ben's password is slowed and then locked out, ben at 127.0.0.2 still logs in, and a
    restart of wissen does not forget the failures (they are in PostgreSQL). Behind nginx
    the client address comes from X-Forwarded-For, which Wissen trusts from nginx only."""
    attacker, colleague, ben_desk = "127.0.0.1", "127.0.0.3", "127.0.0.2"
    right = USERS["ben"][1]
    for attempt in range(1, 5):
        reply = login_attempt(ctx, "ben", "x", attacker)
        ctx.status(reply.status, 401, f"wrong password #{attempt} for ben")
    # Past three failures the pair waits, 1 s after the fourth.
    reply = login_attempt(ctx, "ben", "x", attacker)
    ctx.status(reply.status, 429, "5th attempt right after the 4th failure")
    # A fifth failure on ben, from a second address: now every address that failed on ben
    # waits the full 15 minutes, even with the right password.
    ctx.status(login_attempt(ctx, "ben", "x", colleague).status, 401, "wrong password from .3")
    reply = login_attempt(ctx, "ben", right, attacker)
    ctx.status(reply.status, 429, "right password from the attacker's address")
    retry = reply.header("Retry-After")
    ctx.check(retry.isdigit() and int(retry) > 60,
              f"locked-out address: Retry-After is {retry!r}, expected minutes")
    # Ben from his own desk, which never failed, is not locked out by the attacker.
    ctx.status(login_attempt(ctx, "ben", right, ben_desk).status, 200,
               "right password from an address that never failed")
    # The counters live in PostgreSQL: a restart does not reset them.
    ctx.wissen.restart()
    ctx.status(login_attempt(ctx, "ben", right, attacker).status, 429,
               "right password from the attacker's address after a restart")


def case_database_kill(ctx):
    """kill -9 of the embedded PostgreSQL under requests: answers are 503 (never wrong data)
    until `serve` has started the cluster again on its own; then searches work again."""
    pid = int((ctx.wissen.data / "pg" / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    statuses = set()

    def searching_again():
        reply = ctx.call("POST", "/api/v1/search", body=json.dumps({"query": "Urlaubsantrag"}))
        statuses.add(reply.status)
        if reply.status == 200:
            return bool(json.loads(reply.body)["passages"])
        ctx.check(reply.status == 503, f"search during the outage: {reply.status}")
        return False

    ctx.check(wait_until(searching_again, 60, 0.5),
              "search did not work again within 60 s of kill -9 of PostgreSQL")
    info(f"statuses while PostgreSQL was away: {sorted(statuses)}")
    reply = request(ctx.wissen.port, "GET", "/readyz")
    ctx.status(reply.status, 200, "/readyz after the restart")


def case_nul_user_name(ctx):
    """Names that NormalizeUserName must refuse before the login throttle keys on them:
    "ben\\0" with ben's password must not get round ben's lockout (case_lockout ran first)."""
    for name in ("ben\u0000", "ben\n", "../../etc/passwd <x>"):
        reply = login_attempt(ctx, name, USERS["ben"][1])
        ctx.status(reply.status, 400, f"login as {name!r}")
        ctx.check("set-cookie" not in {k.lower() for k in reply.headers.keys()},
                  f"login as {name!r} set a cookie")


def case_metrics(ctx):
    if ctx.direct:
        reply = request(ctx.port, "GET", "/metrics")
        ctx.status(reply.status, 200, "GET /metrics from 127.0.0.1")
        text = reply.text()
        ctx.check('partition="' not in text, "metrics carry a partition label")
        ctx.check(not re.search(r'="hr"', text), "metrics carry the role name hr as a label")
        return
    for path in ("/metrics", "/metrics/", "//metrics", "/%6Detrics", "/./metrics",
                 "/metrics?format=text", "/static/../metrics", "/%2Fmetrics", "/metrics%2F"):
        reply = request(ctx.port, "GET", path)
        ctx.status(reply.status, (403,) if path == "/metrics" else (400, 403, 404),
                   f"GET {path} through nginx")
        ctx.check(b"wissen_http_requests_total" not in reply.body,
                  f"GET {path} through nginx returned the metrics")


def assert_no_local_paths(ctx, reply, what):
    text = reply.text()
    ctx.check("file://" not in text, f"{what}: response contains file://")
    for root in {str(SAMPLES), os.path.realpath(SAMPLES), str(REPO)}:
        ctx.check(root not in text, f"{what}: response contains the absolute path {root}")


def case_paths_in_responses(ctx):
    reply = ctx.call("POST", "/api/v1/search", body='{"query":"Urlaubsantrag"}')
    if ctx.status(reply.status, 200, "search Urlaubsantrag"):
        assert_no_local_paths(ctx, reply, "search")
        passages = reply.json().get("passages", [])
        ctx.check(passages, "search Urlaubsantrag found nothing")
        for p in passages:
            ctx.check(str(p.get("uri", "")).startswith("samples:public/"),
                      f"search: uri {p.get('uri')!r} is not samples:public/...")
    reply = ctx.call("POST", "/api/v1/ask", body=json.dumps({"question": "Wie beantrage ich Urlaub?"}))
    if ctx.status(reply.status, 200, "ask Wie beantrage ich Urlaub?"):
        assert_no_local_paths(ctx, reply, "ask")
        citations = reply.json().get("citations", [])
        ctx.check(citations, "ask: no citations")
        for c in citations:
            ctx.check(str(c.get("uri", "")).startswith("samples:public/"),
                      f"ask: citation uri {c.get('uri')!r} is not samples:public/...")


def case_sso_headers(ctx):
    for headers in ({"X-Forwarded-User": "admin"},
                    {"X-Forwarded-User": "admin", "X-Forwarded-Groups": "admin,hr"},
                    {"X-Forwarded-User": "admin", "X-Forwarded-For": "127.0.0.1"}):
        reply = ctx.call("GET", "/api/v1/me", headers=headers, key=None)
        ctx.status(reply.status, 401, f"GET /api/v1/me with {headers}")


def case_small_things(ctx):
    reply = request(ctx.port, "OPTIONS", "/api/v1/search")
    ctx.status(reply.status, 204, "OPTIONS /api/v1/search")
    ctx.check("POST" in reply.header("Allow"), f"OPTIONS: Allow is {reply.header('Allow')!r}")
    ctx.check(reply.header("X-Content-Type-Options") == "nosniff", "OPTIONS: no nosniff")
    ctx.check(reply.header("Content-Security-Policy"), "OPTIONS: no Content-Security-Policy")

    reply = request(ctx.port, "GET", "/static/index.html%00.js")
    # nginx refuses a decoded NUL in the path itself (400); Wissen answers 404.
    ctx.status(reply.status, 404 if ctx.direct else (400, 404), "GET /static/index.html%00.js")
    index_html = (REPO / "server" / "web" / "index.html").read_bytes()
    ctx.check(index_html[:256] not in reply.body, "index.html%00.js served index.html")

    pdf_id = None
    for query in ("Handbuch", "employee handbook", "Kantine"):
        reply = ctx.call("POST", "/api/v1/search", body=json.dumps({"query": query}))
        if reply.status == 200:
            for p in reply.json().get("passages", []):
                if str(p.get("path", "")).endswith(".pdf"):
                    pdf_id = p["document_id"]
                    break
        if pdf_id:
            break
    if not ctx.check(pdf_id, "no public PDF found through ben's search"):
        return
    reply = ctx.call("GET", f"/api/v1/documents/{pdf_id}/file")
    ctx.status(reply.status, 200, f"GET /api/v1/documents/{pdf_id}/file")
    ctx.check(reply.body.startswith(b"%PDF"), "the PDF download is not a PDF")
    ctx.check("sandbox" in reply.header("Content-Security-Policy"),
              f"PDF: CSP is {reply.header('Content-Security-Policy')!r}, no sandbox")
    ctx.check(reply.header("Content-Disposition").startswith("attachment"),
              f"PDF: Content-Disposition is {reply.header('Content-Disposition')!r}")


def load_probes(limit=50):
    probes = []
    with open(SAMPLES / "leak_probes.jsonl", encoding="utf-8") as lines:
        for line in lines:
            if line.strip() and len(probes) < limit:
                probes.append(json.loads(line))
    return probes


def case_regressions(ctx):
    w = ctx.wissen
    # Leak probes: ben (everyone) never sees HR or R&D text, whatever he asks.
    probes = load_probes()
    forbidden = {HR_CANARY, RND_CANARY}
    for probe in probes:
        forbidden.update(probe.get("forbidden", []))
    for probe in probes:
        q = probe["query"]
        for path, body in (("/api/v1/search", {"query": q}),
                           ("/api/v1/ask", {"question": q}),
                           ("/api/v1/ask", {"question": q, "stream": True}),
                           ("/v1/chat/completions",
                            {"model": "wissen", "messages": [{"role": "user", "content": q}]})):
            reply = ctx.call("POST", path, body=json.dumps(body), timeout=60)
            label = f"{probe['id']} {path}{' (stream)' if body.get('stream') else ''}"
            ctx.status(reply.status, 200, label)
            text = reply.text()
            leaked = [s for s in forbidden if s in text or json.dumps(s)[1:-1] in text]
            ctx.check(not leaked, f"{label}: leaked {leaked}")
            if body.get("stream"):
                ctx.check("event: done" in text or "event:done" in text,
                          f"{label}: the event stream has no done event")

    # An HR document, found as anna, is unknown to ben.
    hr_id = None
    reply = ctx.call("POST", "/api/v1/search", body='{"query":"Gehaltsbänder 2025"}', key="anna")
    if ctx.status(reply.status, 200, "anna's search for Gehaltsbänder"):
        for p in reply.json().get("passages", []):
            if str(p.get("path", "")).startswith("hr/"):
                hr_id = p["document_id"]
                break
    if ctx.check(hr_id, "anna's search found no HR document"):
        ctx.status(ctx.call("GET", f"/api/v1/documents/{hr_id}", key="anna").status, 200,
                   "anna reads the HR document")
        for suffix in ("", "/file"):
            reply = ctx.call("GET", f"/api/v1/documents/{hr_id}{suffix}")
            ctx.status(reply.status, 404, f"ben GET /api/v1/documents/{hr_id}{suffix}")
            ctx.check(HR_CANARY not in reply.text(), f"ben read the HR document{suffix}")

    # Path traversal.
    for path in ("/static/..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/etc/passwd",
                 "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/static/....//....//etc/passwd",
                 "/api/v1/documents/..%2f1", "/api/v1/documents/1%00",
                 "/api/v1/documents/..%2f..%2f..%2fetc%2fpasswd/file"):
        reply = ctx.call("GET", path)
        ctx.check(400 <= reply.status < 500, f"GET {path}: got {reply.status}, expected 4xx")
        ctx.check(b"root:x:0:0" not in reply.body, f"GET {path} returned /etc/passwd")

    # A revoked key stops working at once.
    me = ctx.call("GET", "/api/v1/me", key="revoke-me")
    ctx.status(me.status, 200, "the key to revoke works before")
    w.cli("key", "revoke", str(w.key_ids["revoke-me"]))
    ctx.status(ctx.call("GET", "/api/v1/me", key="revoke-me").status, 401, "revoked key")

    # CSRF: a session cookie alone may not change state. (Logs in as ben: before case_lockout.)
    reply = login_attempt(ctx, "ben", USERS["ben"][1])
    if not ctx.status(reply.status, 200, "ben's login"):
        return
    csrf = reply.json().get("csrf_token", "")
    cookie = reply.header("Set-Cookie").split(";", 1)[0]
    ctx.check(csrf and "=" in cookie, "login returned no csrf_token or no cookie")
    body = '{"query":"Urlaubsantrag"}'
    reply = ctx.call("POST", "/api/v1/search", body=body, headers={"Cookie": cookie}, key=None)
    ctx.status(reply.status, 403, "search with the cookie and no X-CSRF-Token")
    reply = ctx.call("POST", "/api/v1/search", body=body,
                     headers={"Cookie": cookie, "X-CSRF-Token": "0" * len(csrf)}, key=None)
    ctx.status(reply.status, 403, "search with the cookie and a wrong X-CSRF-Token")
    reply = ctx.call("POST", "/api/v1/search", body=body,
                     headers={"Cookie": cookie, "X-CSRF-Token": csrf}, key=None)
    ctx.status(reply.status, 200, "search with the cookie and X-CSRF-Token")


def case_slow_clients(ctx):
    sockets = []
    try:
        for _ in range(SLOW_CLIENTS):
            sock = socket.create_connection(("127.0.0.1", ctx.port), timeout=5)
            sock.sendall(b"GET /healthz HT")
            sockets.append(sock)
        time.sleep(0.5)  # the idle clients are the point of this case
        started = time.monotonic()
        try:
            reply = request(ctx.port, "GET", "/healthz", timeout=HEALTH_TIMEOUT)
            status = reply.status
        except OSError as error:
            status = f"no answer ({error.__class__.__name__})"
        seconds = time.monotonic() - started
        info(f"{len(sockets)} idle partial requests open ({ctx.mode}): GET /healthz -> "
             f"{status} in {seconds:.2f} s")
        ctx.status(status, 200, f"GET /healthz with {len(sockets)} idle clients "
                                f"({seconds:.1f} s)")
    finally:
        for sock in sockets:
            sock.close()


CASES = [  # run in this order: logins as ben (regressions) come before ben's lockout
    ("deep_json", case_deep_json),
    ("body_limit", case_body_limit),
    ("auth_before_body", case_auth_before_body),
    ("long_paths", case_long_paths),
    ("metrics", case_metrics),
    ("paths_in_responses", case_paths_in_responses),
    ("sso_headers", case_sso_headers),
    ("small_things", case_small_things),
    ("regressions", case_regressions),
    ("lockout", case_lockout),
    ("nul_user_name", case_nul_user_name),
    ("slow_clients", case_slow_clients),
    ("database_kill", case_database_kill),
]


def health_problems(ctx):
    """Empty when the server answers /healthz (directly and through the front) and its RSS
    is within bounds; else the reasons."""
    problems = []
    ports = [("direct", ctx.wissen.port)] + ([("nginx", ctx.nginx.port)] if ctx.nginx else [])
    for label, port in ports:
        try:
            reply = request(port, "GET", "/healthz", timeout=HEALTH_TIMEOUT)
            if reply.status != 200:
                problems.append(f"/healthz ({label}) answered {reply.status}")
        except OSError as error:
            problems.append(f"/healthz ({label}) failed: {error.__class__.__name__} {error}")
    if not ctx.wissen.alive():
        problems.append("wissen serve exited")
    rss = ctx.wissen.rss_mb()
    if rss is not None and rss > RSS_LIMIT_MB:
        problems.append(f"wissen RSS {rss:.0f} MB > {RSS_LIMIT_MB} MB")
    return problems


def run_cases(ctx, only):
    passed = failed = 0
    for name, case in CASES:
        if only and name not in only:
            continue
        ctx.failures = []
        started = time.monotonic()
        try:
            case(ctx)
        except Exception as error:  # a hung or reset connection is a finding, not a crash
            ctx.failures.append(f"{error.__class__.__name__}: {error}")
        problems = health_problems(ctx)
        ctx.failures += problems
        rss = ctx.wissen.rss_mb()
        seconds = time.monotonic() - started
        if ctx.failures:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(ctx.failures), flush=True)
        else:
            passed += 1
            print(f"PASS {name}", flush=True)
        info(f"{name}: {seconds:.1f} s, wissen RSS {rss or 0:.0f} MB")
        if problems:
            # Later cases need a working server: start it again.
            info("restarting wissen serve after: " + "; ".join(problems))
            print(ctx.wissen.log_tail(15), flush=True)
            try:
                ctx.wissen.restart()
            except HarnessError as error:
                print(f"FAIL restart: {error}", flush=True)
                failed += 1
                break
    return passed, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wissen", help="the wissen binary")
    parser.add_argument("--front", choices=["nginx"], help="attack through nginx")
    parser.add_argument("--nginx", default="/usr/sbin/nginx", help="the nginx binary")
    parser.add_argument("--only", default="", help="comma-separated case names")
    parser.add_argument("--list", action="store_true", help="print the case names and exit")
    args = parser.parse_args()
    if args.list:
        print("\n".join(name for name, _ in CASES))
        return 0
    if not args.wissen:
        parser.error("--wissen is required")
    only = {name for name in args.only.split(",") if name}
    unknown = only - {name for name, _ in CASES}
    if unknown:
        parser.error(f"unknown cases: {', '.join(sorted(unknown))}")
    binary = os.path.abspath(args.wissen)
    if not os.access(binary, os.X_OK):
        parser.error(f"no wissen binary at {binary}")
    if args.front == "nginx" and not os.access(args.nginx, os.X_OK):
        parser.error(f"no nginx at {args.nginx} (apt-get install nginx-light)")

    # SIGTERM/SIGINT end the run through the finally below, which stops what we started.
    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)

    work = Path(tempfile.mkdtemp(prefix="wissen-security."))
    # As root the embedded PostgreSQL runs as user postgres, which must reach the data dir.
    os.chmod(work, 0o755)
    wissen = Wissen(binary, work, behind_proxy=args.front == "nginx")
    nginx = None
    passed = failed = 0
    mode = args.front or "direct"
    try:
        print(f"hostile_client: {mode}, wissen {binary}, work dir {work}", flush=True)
        wissen.setup()
        wissen.start()
        if args.front == "nginx":
            nginx = Nginx(work, wissen.port, args.nginx)
            nginx.start()
        info(f"wissen pid {wissen.proc.pid} on 127.0.0.1:{wissen.port}, RSS {wissen.rss_mb():.0f} MB"
             + (f"; nginx on 127.0.0.1:{nginx.port}" if nginx else ""))
        passed, failed = run_cases(Context(mode, wissen, nginx), only)
    except HarnessError as error:
        print(f"FAIL harness: {error}", flush=True)
        failed += 1
    except KeyboardInterrupt as error:
        print(f"FAIL interrupted: {error}", flush=True)
        failed += 1
    finally:
        if nginx:
            nginx.stop()
        wissen.stop()
        wissen.stop_postgres()
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
