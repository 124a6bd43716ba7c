#!/usr/bin/env python3
"""bench/server/bench_server.py [--json FILE] [--quick] — the `server` suite (issue 6, DESIGN.md §10).

In one run, on loopback, with wrk -t1 -c50 --latency:
  * a `zcache worker` GET hit of a 1 KiB object (one event-loop thread), against
  * nginx `proxy_cache` hit of the same 1 KiB object (worker_processes 1), the anchor;
  * the brain's `GET /v1/cache/status` (requests/s).

Figures: worker_hit_rps, nginx_hit_rps, worker_vs_nginx (target >= 1.0), worker_hit_p99_ms,
nginx_hit_p99_ms, brain_status_rps. The full run alternates nginx, worker, worker, nginx (10 s each) and
keeps each server's best round (noise on a shared machine only ever slows a round down); --quick runs one
3 s round each. Everything it starts lives in a temporary directory and is torn down on exit.

The anchor is nginx configured for this workload, not nginx's defaults: open_file_cache (keeps the cache
file's descriptor open across hits), sendfile off (its default; for 1 KiB bodies a read + writev beats
sendfile) and keepalive_requests high (wrk's connections are never closed by the worker either). Here
that is ~1.4x the throughput of the same config without open_file_cache/keepalive_requests.
The worker writes an access-log line per request to stderr (no way to turn it off); it goes to a file
in the temporary directory, which costs it about 5% here; nginx has access_log off.

Needs build/bench/server/zcache (bench/run builds it), nginx and wrk (scripts/bootstrap --bench).
Python 3 standard library only.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZCACHE = os.path.join(ROOT, "build", "bench", "server", "zcache")

SECRET = "bench-server-secret"
OBJECT_KEY = "bench-1k"
OBJECT = bytes((i * 131 + 7) % 251 for i in range(1024))  # 1 KiB, the same bytes for both servers
CONNECTIONS = 50
STARTUP_TIMEOUT_S = 5.0


class BenchError(Exception):
    pass


def log(message):
    print(f"bench_server: {message}", file=sys.stderr, flush=True)


# --- processes and ports -------------------------------------------------------------------------


def free_ports(n):
    """n distinct free loopback ports (bound to port 0 together, then released)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class Processes:
    """The processes the bench started; stop_all() terminates each (TERM, then KILL) and waits."""

    def __init__(self):
        self.procs = []  # (name, Popen, log file object or None)

    def start(self, name, cmd, log_path):
        logf = open(log_path, "wb")
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                    start_new_session=True)  # Ctrl-C in the terminal reaches only us
        except OSError:
            logf.close()
            raise
        self.procs.append((name, proc, logf))
        return proc

    def stop_all(self):
        for name, proc, _ in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()  # nginx master: fast shutdown, takes its worker/cache processes along
        for name, proc, logf in reversed(self.procs):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                log(f"{name} (pid {proc.pid}) ignored SIGTERM for 10 s; killing it")
                proc.kill()
                proc.wait()
            logf.close()
        self.procs = []


def wait_for_log_port(name, proc, log_path, pattern):
    """Waits up to STARTUP_TIMEOUT_S for `pattern` (groups: host, port) in the process's log."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        with open(log_path, "rb") as f:
            text = f.read(64 * 1024).decode("utf-8", "replace")
        m = re.search(pattern, text)
        if m:
            return m.group(1), int(m.group(2))
        if proc.poll() is not None:
            raise BenchError(f"{name} exited with status {proc.returncode} before printing its port; it said:\n"
                             f"{text.strip() or '(nothing)'}")
        if time.monotonic() > deadline:
            raise BenchError(f"{name} printed no listening port within {STARTUP_TIMEOUT_S:.0f} s; it said:\n"
                             f"{text.strip() or '(nothing)'}")
        time.sleep(0.05)


def wait_for_port(name, proc, port, log_path):
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            with open(log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace").strip()
            why = f"exited with status {proc.returncode}" if proc.poll() is not None else \
                f"did not listen on 127.0.0.1:{port} within {STARTUP_TIMEOUT_S:.0f} s"
            raise BenchError(f"{name} {why}; its log:\n{text or '(empty)'}")
        time.sleep(0.05)


def http(method, url, headers=None, body=None):
    """(status, headers, body) of one request; HTTP errors are returned, not raised."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except (urllib.error.URLError, OSError) as e:
        raise BenchError(f"{method} {url} failed: {e}") from None


# --- nginx ----------------------------------------------------------------------------------------


def nginx_binary():
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                           if os.access(p, os.X_OK)), None)
    if not found:
        raise BenchError("nginx not found; run scripts/bootstrap --bench")
    return found


def nginx_version(nginx):
    out = subprocess.run([nginx, "-v"], capture_output=True, text=True).stderr
    m = re.search(r"nginx/(\S+)", out)
    return m.group(1) if m else "?"


def nginx_config(tmp, origin_port, cache_port):
    user = ""
    if os.geteuid() == 0:  # as root, nginx's worker would switch to `nobody`, who cannot use the temp dir
        import grp
        import pwd
        user = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};\n"
    return f"""# written by bench/server/bench_server.py: nginx proxy_cache, the anchor of worker_vs_nginx
{user}worker_processes 1;
daemon off;
master_process on;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path {tmp}/client_body_temp;
  proxy_temp_path {tmp}/proxy_temp;
  fastcgi_temp_path {tmp}/fastcgi_temp;
  uwsgi_temp_path {tmp}/uwsgi_temp;
  scgi_temp_path {tmp}/scgi_temp;
  sendfile off;  # for a 1 KiB body, read + one writev is faster than writev + sendfile
  keepalive_requests 1000000;  # wrk's connections stay open, as they do against the worker
  open_file_cache max=64 inactive=60s;  # also caches the proxy_cache file's descriptor

  proxy_cache_path {tmp}/cache levels=1:2 keys_zone=bench:1m max_size=64m inactive=1h use_temp_path=off;

  upstream origin {{
    server 127.0.0.1:{origin_port};
    keepalive 8;
  }}

  server {{  # the origin: a static 1 KiB file
    listen 127.0.0.1:{origin_port};
    root {tmp}/www;
  }}

  server {{  # the cache: what wrk measures
    listen 127.0.0.1:{cache_port};
    location / {{
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache bench;
      proxy_cache_valid 200 1h;
      add_header X-Cache-Status $upstream_cache_status always;
    }}
  }}
}}
"""


def start_nginx(procs, tmp):
    nginx = nginx_binary()
    os.makedirs(os.path.join(tmp, "www", "objects"))
    with open(os.path.join(tmp, "www", "objects", OBJECT_KEY), "wb") as f:
        f.write(OBJECT)
    origin_port, cache_port = free_ports(2)
    conf = os.path.join(tmp, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_config(tmp, origin_port, cache_port))
    log_path = os.path.join(tmp, "nginx.out")
    proc = procs.start("nginx", [nginx, "-p", tmp + "/", "-c", conf, "-e", os.path.join(tmp, "nginx-error.log")],
                       log_path)
    wait_for_port("nginx", proc, cache_port, os.path.join(tmp, "nginx-error.log"))
    url = f"http://127.0.0.1:{cache_port}/objects/{OBJECT_KEY}"
    statuses = []
    for _ in range(5):  # the first is a MISS that fills the cache; then HITs
        status, headers, body = http("GET", url)
        if status != 200 or body != OBJECT:
            raise BenchError(f"nginx GET {url}: status {status}, {len(body)} bytes (expected 200 and the object)")
        statuses.append(headers.get("X-Cache-Status", "-"))
        if statuses[-1] == "HIT":
            break
    if statuses[-1] != "HIT":
        raise BenchError(f"nginx never served {url} from its cache (X-Cache-Status: {', '.join(statuses)})")
    return url, nginx_version(nginx)


# --- zcache ---------------------------------------------------------------------------------------


def mint_token():
    r = subprocess.run([ZCACHE, "token", "--secret", SECRET, "--ttl", "1h"], capture_output=True, text=True)
    token = r.stdout.strip()
    if r.returncode != 0 or not token:
        raise BenchError(f"zcache token failed (status {r.returncode}): {r.stderr.strip()}")
    return token


def start_worker(procs, tmp, token):
    log_path = os.path.join(tmp, "worker.log")
    # Access logs off on both sides, as nginx's `access_log off`.
    proc = procs.start("zcache worker", [ZCACHE, "worker", "--listen", "127.0.0.1:0", "--secret", SECRET,
                                         "--capacity", "64MiB", "--access-log", "false"], log_path)
    host, port = wait_for_log_port("zcache worker", proc, log_path, r"serving on (\S+?):(\d+)\b")
    base = f"http://{host}:{port}"
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{base}/objects/{OBJECT_KEY}"
    status, _, body = http("PUT", url, {**auth, "Zcache-Ttl": "3600", "Content-Type": "application/octet-stream"},
                           OBJECT)
    if status not in (200, 201):
        raise BenchError(f"worker PUT {url}: status {status}: {body[:300]!r}")
    status, headers, body = http("GET", url, auth)
    if status != 200 or body != OBJECT:
        raise BenchError(f"worker GET {url}: status {status}, {len(body)} bytes (expected 200 and the object)")
    return url, log_path


def brain_unavailable():
    """A message when this zcache has no brain yet (else None)."""
    r = subprocess.run([ZCACHE, "brain", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        said = (r.stderr.strip() or r.stdout.strip() or "(no output)").splitlines()[0]
        return f"`zcache brain --help` exited with status {r.returncode}: {said}"
    return None


def start_brain(procs, tmp, token):
    log_path = os.path.join(tmp, "brain.log")
    proc = procs.start("zcache brain", [ZCACHE, "brain", "--port", "0", "--secret", SECRET, "--access-log", "false",
                                        "--replica-file", os.path.join(tmp, "brain.db")], log_path)
    # e.g. "serving on 0.0.0.0:PORT" or "listening on [::]:PORT"
    host, port = wait_for_log_port("zcache brain", proc, log_path,
                                   r"(?i)(?:serving|listening)\s+(?:on|at)\s+(?:https?://)?(\[[^\]]*\]|[^\s:/]+):(\d+)\b")
    if host in ("0.0.0.0", "[::]", "::", "*", "localhost"):
        host = "127.0.0.1"
    url = f"http://{host}:{port}/v1/cache/status"
    status, _, body = http("GET", url, {"Authorization": f"Bearer {token}"})
    if status != 200:
        raise BenchError(f"brain GET {url}: status {status}: {body[:300]!r}")
    return url


# --- wrk ------------------------------------------------------------------------------------------


def wrk_binary():
    found = shutil.which("wrk")
    if not found:
        raise BenchError("wrk not found; run scripts/bootstrap --bench")
    return found


def parse_latency_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not m:
        raise BenchError(f"cannot parse wrk latency {text!r}")
    return float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}[m.group(2)]


def run_wrk(label, url, seconds, headers=()):
    cmd = [wrk_binary(), "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    cmd.append(url)
    shown = " ".join("'Authorization: Bearer …'" if c.startswith("Authorization:") else c for c in cmd)
    log(f"{label}: {shown}")
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{label}: wrk did not finish within {seconds + 30} s") from None
    out = r.stdout
    if r.returncode != 0:
        raise BenchError(f"{label}: wrk exited with status {r.returncode}:\n{out}{r.stderr}")
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    total = re.search(r"^\s+(\d+) requests in", out, re.M)
    if not (rps and p99 and total):
        raise BenchError(f"{label}: cannot parse wrk's output:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non2xx:
        raise BenchError(f"{label}: {non2xx.group(1)} of {total.group(1)} responses were not 2xx/3xx:\n{out}")
    errors = re.search(r"Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors and any(int(n) for n in errors.groups()):
        raise BenchError(f"{label}: wrk saw socket errors ({errors.group(0)}):\n{out}")
    if int(total.group(1)) == 0:
        raise BenchError(f"{label}: wrk completed no request:\n{out}")
    result = {"rps": float(rps.group(1)), "p99_ms": parse_latency_ms(p99.group(1)), "requests": int(total.group(1))}
    m = re.search(r"^\s+Latency\s+(\S+)\s+(\S+)\s+(\S+)", out, re.M)
    if m:
        result["max_ms"] = parse_latency_ms(m.group(3))
    log(f"{label}: {result['rps']:.0f} req/s, p99 {result['p99_ms']:.2f} ms, max {result.get('max_ms', 0):.2f} ms, "
        f"{result['requests']} requests")
    return result


def worker_log_anomalies(log_path):
    """Lines of the worker's log other than startup, 2xx access lines and shutdown (at most 5 shown)."""
    odd, count = [], 0
    access = re.compile(r'zcache worker: http \S+ "[^"]*" (\d{3}) ')
    with open(log_path, "r", encoding="utf-8", errors="replace") as f:
        for line in f:
            m = access.search(line)
            if m and m.group(1).startswith("2"):
                continue
            if not m and re.search(r"zcache worker: (serving on|received SIG|stopped|draining)", line):
                continue
            count += 1
            if len(odd) < 5:
                odd.append(line.rstrip())
    return count, odd


# --- the suite ------------------------------------------------------------------------------------


def print_table(figures):
    width = max(len(n) for n in figures)
    print(f"{'figure':<{width}}  {'value':>10}  {'unit':<6}  anchor / target")
    for name, f in figures.items():
        v = f["value"]
        shown = f"{v:.0f}" if abs(v) >= 1000 else f"{v:.2f}" if abs(v) >= 0.01 else f"{v:.4f}"
        notes = "; ".join(x for x in (f.get("anchor"), f.get("target") and f"target {f['target']}") if x)
        print(f"{name:<{width}}  {shown:>10}  {f['unit']:<6}  {notes}")
    sys.stdout.flush()


def run(args, tmp, procs):
    if not os.access(ZCACHE, os.X_OK):
        raise BenchError(f"{os.path.relpath(ZCACHE, ROOT)} not found; build it with bench/run server "
                         "(or cmake --build build/bench --target zcache)")
    wrk_binary()
    seconds = 3 if args.quick else 10
    token = mint_token()
    auth_header = f"Authorization: Bearer {token}"

    nginx_url, version = start_nginx(procs, tmp)
    worker_url, worker_log = start_worker(procs, tmp, token)
    log(f"nginx {version} proxy_cache at {nginx_url}; worker at {worker_url}")

    # ABBA in the full run, so drift (other load on the machine) hits both servers alike.
    order = ["nginx", "worker"] if args.quick else ["nginx", "worker", "worker", "nginx"]
    rounds = {"nginx": [], "worker": []}
    for i, which in enumerate(order, 1):
        label = f"round {i}/{len(order)} {which}"
        if which == "nginx":
            rounds["nginx"].append(run_wrk(label, nginx_url, seconds))
        else:
            rounds["worker"].append(run_wrk(label, worker_url, seconds, [auth_header]))
    best = {k: max(v, key=lambda r: r["rps"]) for k, v in rounds.items()}

    anomalies, odd = worker_log_anomalies(worker_log)
    if anomalies:
        log(f"warning: the worker's log has {anomalies} unexpected line(s) under load, e.g.:\n  " + "\n  ".join(odd))

    anchor = f"nginx {version} proxy_cache hit, 1 worker process, same run"
    figures = {
        "worker_hit_rps": {"value": best["worker"]["rps"], "unit": "req/s"},
        "nginx_hit_rps": {"value": best["nginx"]["rps"], "unit": "req/s", "anchor": anchor},
        "worker_vs_nginx": {"value": best["worker"]["rps"] / best["nginx"]["rps"], "unit": "ratio",
                            "anchor": anchor, "target": ">= 1.0"},
        "worker_hit_p99_ms": {"value": best["worker"]["p99_ms"], "unit": "ms"},
        "nginx_hit_p99_ms": {"value": best["nginx"]["p99_ms"], "unit": "ms", "anchor": anchor},
    }

    brain_error = brain_unavailable()
    if brain_error is None:
        try:
            brain_url = start_brain(procs, tmp, token)
            brain = run_wrk("brain", brain_url, seconds, [auth_header])
            figures["brain_status_rps"] = {"value": brain["rps"], "unit": "req/s"}
        except BenchError as e:
            brain_error = str(e)

    print(f"\nserver bench: wrk -t1 -c{CONNECTIONS} -d{seconds}s --latency, 1 KiB object, loopback; "
          f"best of {len(rounds['worker'])} round(s) per server")
    print_table(figures)
    return figures, brain_error


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="write {\"figures\": ...} here")
    parser.add_argument("--quick", action="store_true", help="one 3 s round per server instead of two of 10 s")
    args = parser.parse_args()

    # SIGTERM (e.g. from a CI timeout) tears down like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    tmp = tempfile.mkdtemp(prefix="zcache-bench-server-")
    procs = Processes()
    try:
        figures, brain_error = run(args, tmp, procs)
    except BenchError as e:
        log(f"error: {e}")
        return 1
    finally:
        procs.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"figures": figures}, f, indent=1)
    if brain_error:
        log(f"error: brain_status_rps not measured: {brain_error}")
        log("the other figures are above (and in --json FILE), but the suite is incomplete")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
